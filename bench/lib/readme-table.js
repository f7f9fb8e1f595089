/**
 * The start-up and deploy-output figures per Node version, as README's short table shows them.
 * `npm run bench` rewrites the block between the markers; test/docs/readme-layout.test.ts checks
 * that README shows what bench/results/latest.json holds, so the table cannot drift from a run.
 */
export const README_START = '<!-- bench:readme-table (written by npm run bench) -->';
export const README_END = '<!-- /bench:readme-table -->';

const FIGURES = [
  ['`rollout --help`', 'startup.help', '≤ 1.5×'],
  ['`rollout validate`, 50 stages', 'startup.validate', '≤ 2.5× on 20, ≤ 3× on 22 and 24'],
];

export function readmeTable(rows) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const cell = (id) => {
    const row = byId.get(id);
    if (!row || row.ratio === null || row.ratio === undefined) return '—';
    return `${row.ratio.toFixed(2)}×${row.pass === false ? ' (missed)' : ''}`;
  };
  const throughput = byId.get('output.throughput');
  const rss = byId.get('output.rss');
  const lines = [
    '| figure, against the same Node in the same run | Node 20 | Node 22 | Node 24 | target |',
    '| --- | ---: | ---: | ---: | --- |',
    ...FIGURES.map(([label, id, target]) => `| ${label}, × \`node -e 0\` | ${cell(id)} | ${cell(`${id}.node22`)} | ${cell(`${id}.node24`)} | ${target} |`),
    `| 1 GiB of deploy output through the stage prefixer, × \`cat\` | ${cell('output.throughput')} | — | — | ≥ 0.5×, ≤ 100 MB RSS (${rss ? `${rss.ours} MB` : '—'}) |`,
  ];
  if (!throughput) lines.pop();
  return lines.join('\n');
}

/** README with its table block replaced by the table of `rows`; README unchanged when it has no markers. */
export function withReadmeTable(readme, rows) {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end === -1) return readme;
  return `${readme.slice(0, start + README_START.length)}\n${readmeTable(rows)}\n${readme.slice(end)}`;
}
