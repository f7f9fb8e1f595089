// `npm run bench`: runs every figure, prints one table, writes bench/results/latest.json.
//   node bench/run.js [--smoke] [--only startup,polling,...] [--merge] [--out FILE]
// --merge (with --only): keep the other figures' rows from FILE, and say which rows are from when.
// --smoke runs each figure once at tiny sizes, all at once (for the test suite): the numbers mean nothing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bench as compareDetection } from './compare-detection.js';
import { bench as deployOutput } from './deploy-output.js';
import { bench as failureDetection } from './failure-detection.js';
import { bench as fleet } from './fleet.js';
import { repoRoot } from './lib/common.js';
import { withReadmeTable } from './lib/readme-table.js';
import { formatTable } from './lib/table.js';
import { bench as metricDetection } from './metric-detection.js';
import { bench as metricLoad } from './metric-load.js';
import { bench as polling } from './polling.js';
import { bench as report } from './report.js';
import { bench as reportFleet } from './report-fleet.js';
import { bench as stageOverhead } from './stage-overhead.js';
import { bench as startup } from './startup.js';
import { bench as stateBackends } from './state-backends.js';

const figures = [
  { name: 'startup', run: startup, smoke: { runs: 1, stages: 5, majors: [] } },
  { name: 'stage-overhead', run: stageOverhead, smoke: { runs: 1, stages: 5 } },
  { name: 'polling', run: polling, smoke: { runs: 1, checks: 5, seconds: 1, intervalMs: 250, baselineRevision: null } },
  { name: 'failure-detection', run: failureDetection, smoke: { trials: 1, intervalMs: 100, failureThreshold: 1 } },
  { name: 'deploy-output', run: deployOutput, smoke: { runs: 1, bytes: 1024 ** 2 } },
  { name: 'state-backends', run: stateBackends, smoke: { writes: 5, runs: 1, stages: 5 }, smokeLane: 'servers' },
  {
    name: 'metric-detection',
    run: metricDetection,
    smoke: { trials: 1, intervalMs: 250, flipAfterMs: 500, scrapeInterval: '250ms' },
    smokeLane: 'prometheus-1',
  },
  { name: 'metric-load', run: metricLoad, smoke: { checks: 5, seconds: 1, scrapeInterval: '250ms' }, smokeLane: 'prometheus-2' },
  { name: 'report', run: report, smoke: { runs: 1, stages: 3, measurements: 60 }, smokeLane: 'servers' },
  { name: 'report-fleet', run: reportFleet, smoke: { runs: 1, targets: 20 }, smokeLane: 'servers' },
  { name: 'compare', run: compareDetection, smoke: { trials: 1, checks: 3, seconds: 1, scrapeInterval: '250ms' }, smokeLane: 'prometheus-3' },
  { name: 'fleet', run: fleet, smoke: { runs: 1, targets: 20, maxParallel: 5 } },
];

const { values } = parseArgs({
  options: { smoke: { type: 'boolean', default: false }, only: { type: 'string' }, merge: { type: 'boolean', default: false }, out: { type: 'string' } },
});
const only = values.only?.split(',');
const defaultOut = path.join(repoRoot, 'bench', 'results', 'latest.json');
const out = values.out ?? defaultOut;

const started = Date.now();
const loadStart = os.loadavg();
const selected = figures.filter((figure) => !only || only.includes(figure.name));
const measureFigure = async (figure) => {
  const t = Date.now();
  process.stderr.write(`bench: ${figure.name}…\n`);
  const figureRows = await figure.run(values.smoke ? figure.smoke : {});
  process.stderr.write(`bench: ${figure.name} done in ${((Date.now() - t) / 1000).toFixed(1)}s\n`);
  return figureRows;
};
const rows = [];
if (values.smoke) {
  // A smoke run checks shapes, not speed. Figures that mostly wait (Prometheus takes ~5 s to
  // scrape a new target; Chromium and PostgreSQL to start) run in lanes beside the CPU-bound ones,
  // so the test suite pays for the longest lane, not the sum. Rows keep the figures' order.
  const lanes = new Map();
  for (const figure of selected) lanes.set(figure.smokeLane ?? 'main', [...(lanes.get(figure.smokeLane ?? 'main') ?? []), figure]);
  const done = new Map();
  await Promise.all(
    [...lanes.values()].map(async (lane) => {
      for (const figure of lane) done.set(figure, await measureFigure(figure));
    }),
  );
  for (const figure of selected) rows.push(...done.get(figure));
} else {
  // Measured figures run one at a time: each must have the machine to itself.
  for (const figure of selected) rows.push(...(await measureFigure(figure)));
}

const machine = {
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  loadavgStart: loadStart,
  loadavg: os.loadavg(),
};
const result = {
  version: 1,
  date: new Date(started).toISOString(),
  durationS: Math.round((Date.now() - started) / 1000),
  smoke: values.smoke,
  machine,
  rows,
};
if (values.merge && only && existsSync(out)) {
  // Rows of figures not run now stay as the earlier run measured them; `runs` says which is which.
  const previous = JSON.parse(readFileSync(out, 'utf8'));
  const fresh = new Map(rows.map((r) => [r.id, r]));
  const merged = previous.rows.map((r) => fresh.get(r.id) ?? r);
  for (const r of rows) if (!previous.rows.some((p) => p.id === r.id)) merged.push(r);
  const earlier = previous.runs ?? [{ date: previous.date, durationS: previous.durationS, machine: previous.machine, figures: 'all' }];
  result.rows = merged;
  result.runs = [...earlier.map((run) => ({ ...run })), { date: result.date, durationS: result.durationS, machine, figures: only }];
}
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
// A full or merged run is the record README's table shows; a smoke run (tiny sizes) is not.
if (!values.smoke && out === defaultOut) {
  const readmePath = path.join(repoRoot, 'README.md');
  writeFileSync(readmePath, withReadmeTable(readFileSync(readmePath, 'utf8'), result.rows));
}
process.stdout.write(`${formatTable(result.rows)}\n`);
process.stderr.write(`bench: ${result.rows.filter((r) => r.pass === false).length} target(s) missed; wrote ${path.relative(process.cwd(), out)}\n`);
