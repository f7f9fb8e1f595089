import path from 'node:path';
import { cliEnv, measure, measureCli, median, removeDir, round, row, tempDir, writePlan } from './lib/common.js';

const LINE = 'deploy: 2026-11-24T23:17:10Z INFO rolled pod checkout-api-7f9c6d-x2k4p to image v2.4.1 (ready)';

/**
 * Figure 5, deploy output: a deploy command writes `bytes` of log lines, streamed through the CLI
 * (its stderr to /dev/null), against the same bytes piped through `cat` to /dev/null.
 */
export async function bench({ runs = 3, bytes = 1024 ** 3 } = {}) {
  const dir = tempDir('output');
  try {
    const produce = `yes '${LINE}' | head -c ${bytes}`;
    const plan = writePlan(dir, { stages: [{ name: 'noisy', deploy: produce, soak: '0s' }] });
    const env = cliEnv();
    const ours = [];
    const cat = [];
    for (let run = 0; run < runs; run++) {
      cat.push(await measure('/bin/sh', ['-c', `${produce} | cat > /dev/null`], { env, withTime: true }));
      ours.push(await measureCli(['run', '--config', plan, '--state', path.join(dir, `state-${run}.json`)], { env, cwd: dir, withTime: true }));
    }
    const mbps = (r) => bytes / 1024 ** 2 / (r.wallMs / 1000);
    const oursMbps = median(ours.map(mbps));
    const catMbps = median(cat.map(mbps));
    const rss = median(ours.map((r) => r.peakRssMb));
    const size = bytes >= 1024 ** 3 ? `${round(bytes / 1024 ** 3, 2)} GiB` : `${round(bytes / 1024 ** 2, 2)} MiB`;
    return [
      row({
        id: 'output.throughput',
        figure: `deploy output ${size}: throughput`,
        unit: 'MiB/s',
        ours: round(oursMbps),
        baseline: round(catMbps),
        target: '≥ 0.5× cat',
        pass: oursMbps >= catMbps / 2,
        note: `median of ${runs}`,
      }),
      row({
        id: 'output.rss',
        figure: `deploy output ${size}: peak RSS`,
        unit: 'MB',
        ours: round(rss),
        baseline: round(median(cat.map((r) => r.peakRssMb))),
        target: '≤ 100 MB',
        pass: rss === null ? null : rss <= 100,
        note: 'baseline: largest process of the cat pipeline',
      }),
    ];
  } finally {
    removeDir(dir);
  }
}
