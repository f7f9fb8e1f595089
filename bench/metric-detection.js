import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cliEnv, measureCli, median, percentile, removeDir, round, row, tempDir } from './lib/common.js';
import { errorRatio, writeMetricPlan } from './lib/metric-plan.js';
import { startMetricsService } from './lib/metrics-service.js';
import { startPrometheus } from './lib/prometheus.js';

const THRESHOLD = 0.1;

/**
 * Figure 5, metric detection: a canary's error ratio jumps from 0 to 100 % at a random moment; a
 * watcher queries Prometheus every 50 ms with the check's own query and notes when the bad value
 * is first *available*; the CLI's rollback command stamps when it starts. The bound is one check
 * interval (the check may have just measured) + one query time + 100 ms.
 */
export async function bench({ trials = 10, intervalMs = 1000, flipAfterMs = 2000, scrapeInterval = '1s' } = {}) {
  const dir = tempDir('metric-detect');
  const service = await startMetricsService();
  const versions = Array.from({ length: trials }, (_, i) => `t${i}`);
  for (const version of versions) service.setTraffic(version, { rps: 100, errorRate: 0, latencyMs: 10 });
  const prometheus = await startPrometheus([service.target], { scrapeInterval });
  try {
    const env = cliEnv();
    const latencies = [];
    const queryTimes = [];
    for (const [trial, version] of versions.entries()) {
      const query = errorRatio(version, '2s');
      await prometheus.waitFor(query, (result) => result.length === 1 && Number(result[0].value[1]) === 0);
      const stamp = path.join(dir, `rollback-${trial}.ns`);
      const plan = writeMetricPlan(dir, {
        file: `plan-${trial}.yml`,
        soak: '60s',
        rollback: `date +%s%N > ${JSON.stringify(stamp)}`,
        checks: [
          { name: 'error-rate', server: prometheus.url, query, pass: `result < ${THRESHOLD}`, interval: `${intervalMs}ms`, timeout: '2s', failureThreshold: 1 },
        ],
      });
      const run = measureCli(['run', '--config', plan], { env, cwd: dir, expectCode: 1 });
      const flip = setTimeout(() => service.setTraffic(version, { rps: 100, errorRate: 1, latencyMs: 10 }), flipAfterMs + Math.random() * intervalMs);
      const availableAt = await firstBad(prometheus, query, queryTimes);
      await run;
      clearTimeout(flip);
      const rolledBackAt = Number(BigInt(readFileSync(stamp, 'utf8').trim()) / 1000n) / 1000;
      latencies.push(rolledBackAt - availableAt);
    }
    const queryMs = median(queryTimes);
    const bound = intervalMs + queryMs + 100;
    const p95 = percentile(latencies, 95);
    const note = `bound = ${intervalMs} ms interval + ${round(queryMs)} ms median query + 100 ms; ${trials} trials`;
    return [
      row({
        id: 'metric.detect.p50',
        figure: 'metric detection: bad value available → rollback p50',
        unit: 'ms',
        ours: round(median(latencies)),
        baseline: round(bound),
        target: '—',
        pass: null,
        note,
      }),
      row({
        id: 'metric.detect.p95',
        figure: 'metric detection: bad value available → rollback p95',
        unit: 'ms',
        ours: round(p95),
        baseline: round(bound),
        target: '≤ interval + query + 100 ms',
        pass: p95 <= bound,
        note,
      }),
    ];
  } finally {
    await prometheus.close();
    await service.close();
    removeDir(dir);
  }
}

/** Wall-clock ms (epoch) when the query first answers a failing value, polling every 50 ms. */
async function firstBad(prometheus, query, queryTimes) {
  for (;;) {
    const started = performance.now();
    const { result } = await prometheus.query(query);
    queryTimes.push(performance.now() - started);
    const value = result.length === 1 ? Number(result[0].value[1]) : null;
    if (value !== null && !(value < THRESHOLD)) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
