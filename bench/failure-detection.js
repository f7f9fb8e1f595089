import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cliEnv, measureCli, median, percentile, removeDir, round, row, tempDir, writePlan } from './lib/common.js';
import { startHealthServer } from './lib/health-server.js';

/**
 * Figure 4, failure detection: a check's endpoint flips to 500 at a random point mid-soak; we
 * measure from the flip (server's wall clock) until the rollback command starts (it writes
 * `date +%s%N`). The floor is failureThreshold × interval: the worst case when the flip lands
 * just after a poll.
 */
export async function bench({ trials = 20, intervalMs = 250, failureThreshold = 3 } = {}) {
  const dir = tempDir('detect');
  const server = await startHealthServer();
  const floor = failureThreshold * intervalMs;
  try {
    const env = cliEnv();
    const latencies = [];
    for (let trial = 0; trial < trials; trial++) {
      const checkPath = `/t${trial}`;
      const stamp = path.join(dir, `rollback-${trial}.ns`);
      let flippedAt = null;
      // Flip 2–3 intervals after the first poll, at a random phase against the poll schedule.
      server.onRequest(checkPath, (now) => {
        if (flippedAt !== null || server.arrivals.get(checkPath).length > 1) return;
        const delay = intervalMs * (2 + Math.random());
        setTimeout(
          () => {
            server.failFrom(checkPath, 0);
            flippedAt = Date.now();
          },
          delay - (performance.now() - now),
        );
      });
      const plan = writePlan(dir, {
        file: `plan-${trial}.yml`,
        stages: [
          {
            name: 'canary',
            deploy: 'true',
            rollback: `date +%s%N > ${JSON.stringify(stamp)}`,
            soak: '60s',
            health: [{ url: server.url(checkPath), interval: `${intervalMs}ms`, timeout: '1s', failureThreshold }],
          },
        ],
      });
      await measureCli(['run', '--config', plan, '--state', path.join(dir, `state-${trial}.json`)], { env, cwd: dir, expectCode: 1 });
      const rolledBackAt = Number(BigInt(readFileSync(stamp, 'utf8').trim()) / 1000n) / 1000;
      latencies.push(rolledBackAt - flippedAt);
    }
    server.reset();
    const p95 = percentile(latencies, 95);
    return [
      row({
        id: 'detect.p50',
        figure: 'failure detection: flip → rollback p50',
        unit: 'ms',
        ours: round(median(latencies)),
        baseline: floor,
        target: '—',
        pass: null,
        note: `floor = ${failureThreshold} × ${intervalMs} ms`,
      }),
      row({
        id: 'detect.p95',
        figure: 'failure detection: flip → rollback p95',
        unit: 'ms',
        ours: round(p95),
        baseline: floor,
        target: `≤ floor + 100 ms`,
        pass: p95 <= floor + 100,
        note: `${trials} trials`,
      }),
    ];
  } finally {
    await server.close();
    removeDir(dir);
  }
}
