import { cliEnv, measure, measureCli, median, removeDir, round, row, tempDir, writePlan } from './lib/common.js';

/**
 * Figure 2, stage overhead: a plan of `true` deploys, no checks, soak 0, against a shell loop
 * running `sh -c true` as many times. Our own time per stage is the difference over the count.
 */
export async function bench({ runs = 5, stages = 200 } = {}) {
  const dir = tempDir('stages');
  try {
    const plan = writePlan(dir, {
      stages: Array.from({ length: stages }, (_, i) => ({ name: `s${i + 1}`, deploy: 'true', soak: '0s' })),
    });
    const loop = `i=0; while [ $i -lt ${stages} ]; do sh -c true; i=$((i+1)); done`;
    const env = cliEnv();
    const ours = [];
    const shell = [];
    for (let run = 0; run < runs; run++) {
      shell.push((await measure('/bin/sh', ['-c', loop], { env })).wallMs);
      ours.push((await measureCli(['run', '--config', plan, '--state', `${dir}/state/run-${run}.json`], { env, cwd: dir })).wallMs);
    }
    const oursMs = median(ours);
    const shellMs = median(shell);
    const perStage = (oursMs - shellMs) / stages;
    return [
      row({
        id: 'stages.overhead',
        figure: `stage overhead (${stages} stages)`,
        unit: 'ms',
        ours: round(oursMs),
        baseline: round(shellMs),
        target: '≤ 10 ms/stage',
        pass: perStage <= 10,
        note: `${round(perStage, 2)} ms/stage of our own, median of ${runs}`,
      }),
    ];
  } finally {
    removeDir(dir);
  }
}
