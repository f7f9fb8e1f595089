import { cliEnv, measure, measureCli, median, removeDir, round, row, tempDir, writePlan } from './lib/common.js';

/**
 * Figure 1, start-up: `--version`, `--help` and `validate` of a 50-stage plan against `node -e 0`,
 * interleaved run by run so machine noise hits both sides alike.
 */
export async function bench({ runs = 15, stages = 50 } = {}) {
  const dir = tempDir('startup');
  try {
    // Found by discovery (rollout.config.yml in the working directory), as users run it.
    writePlan(dir, {
      stages: Array.from({ length: stages }, (_, i) => ({
        name: `stage-${i + 1}`,
        deploy: `./deploy.sh --weight ${i + 1}`,
        rollback: './deploy.sh --weight 0',
        soak: '30s',
        health: [{ url: `http://127.0.0.1:8080/healthz/${i + 1}`, interval: '2s', timeout: '1s', failureThreshold: 2 }],
      })),
    });
    const cases = [
      { id: 'startup.version', figure: 'start-up: --version', args: ['--version'], target: 1.5 },
      { id: 'startup.help', figure: 'start-up: --help', args: ['--help'], target: 1.5 },
      { id: 'startup.validate', figure: `start-up: validate (${stages} stages)`, args: ['validate'], target: 2.5 },
    ];
    const env = cliEnv();
    const node = [];
    const ours = cases.map(() => []);
    // One warm-up of each, not recorded: the first spawn pays for a cold page cache.
    await measure(process.execPath, ['-e', '0'], { env });
    for (const c of cases) await measureCli(c.args, { env, cwd: dir });
    for (let run = 0; run < runs; run++) {
      node.push((await measure(process.execPath, ['-e', '0'], { env })).wallMs);
      for (const [i, c] of cases.entries()) ours[i].push((await measureCli(c.args, { env, cwd: dir })).wallMs);
    }
    const baseline = median(node);
    return cases.map((c, i) => {
      const value = median(ours[i]);
      return row({
        id: c.id,
        figure: c.figure,
        unit: 'ms',
        ours: round(value),
        baseline: round(baseline),
        target: `≤ ${c.target}× node -e 0`,
        pass: value / baseline <= c.target,
        note: `median of ${runs}`,
      });
    });
  } finally {
    removeDir(dir);
  }
}
