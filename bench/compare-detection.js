import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cliEnv, measureCli, median, percentile, removeDir, round, row, tempDir } from './lib/common.js';
import { errorRatio, writeMetricPlan } from './lib/metric-plan.js';
import { startMetricsService } from './lib/metrics-service.js';
import { startPrometheus } from './lib/prometheus.js';

const STABLE = { rps: 190, errorRate: 0, latencyMs: 10 };
const BAD_CANARY = { rps: 10, errorRate: 0.05, latencyMs: 10 };

/** Counter queries of one version for the counts comparison. */
const side = (version) => ({ errors: `http_requests_total{version="${version}",code="500"}`, total: `http_requests_total{version="${version}"}` });

/**
 * Figure 9, compared checks: (a) a fresh canary failing 5 % of 10 req/s next to a stable version at
 * 190 req/s, from the canary's first request to the rollback command starting (p95 over trials),
 * for a `compare: {method: fisher}` check against the fixed-threshold plan the docs used to advise
 * (error ratio over a 5 s rate window, `initialDelay` 5 s, `pass: result < 0.01`, 2 in a row);
 * (b) `checks` compared checks every second over a `seconds` soak: CLI CPU and peak RSS.
 */
export async function bench({ trials = 5, checks = 50, seconds = 300, scrapeInterval = '1s' } = {}) {
  const dir = tempDir('compare');
  const service = await startMetricsService();
  service.setTraffic('stable', STABLE);
  const prometheus = await startPrometheus([service.target], { scrapeInterval });
  try {
    const env = cliEnv();
    await prometheus.waitFor(errorRatio('stable', '5s'), (result) => result.length === 1);
    const compared = [];
    const fixed = [];
    for (let trial = 0; trial < trials; trial++) {
      compared.push(await detect({ dir, env, service, prometheus, label: `c${trial}`, check: (version) => comparedCheck(prometheus, version) }));
      fixed.push(
        await detect({
          dir,
          env,
          service,
          prometheus,
          label: `f${trial}`,
          check: (version) => ({
            name: 'error-rate',
            server: prometheus.url,
            query: errorRatio(version, '5s'),
            pass: 'result < 0.01',
            interval: '1s',
            initialDelay: '5s',
            failureThreshold: 2,
          }),
        }),
      );
    }
    const loadPlan = writeMetricPlan(dir, {
      file: 'load.yml',
      soak: `${seconds}s`,
      checks: Array.from({ length: checks }, (_, i) => ({ ...comparedCheck(prometheus, 'stable'), name: `c${i}` })),
    });
    const load = await measureCli(['run', '--config', loadPlan], { env, cwd: dir, withTime: true });
    const cpu = load.cpuSeconds === null ? null : (100 * load.cpuSeconds) / (load.wallMs / 1000);
    const note = `${trials} trials each; a fresh canary at 10 req/s failing 5 %, stable at 190 req/s, scrape ${scrapeInterval}`;
    const label = `${checks} compared checks × 1s, ${seconds}s soak`;
    return [
      row({
        id: 'compare.detect.p95',
        figure: 'compared check: canary starts failing 5 % → rollback p95',
        unit: 'ms',
        ours: round(percentile(compared, 95)),
        baseline: round(percentile(fixed, 95)),
        target: '≤ the fixed-threshold plan',
        pass: percentile(compared, 95) <= percentile(fixed, 95),
        note: `${note}; medians ${round(median(compared))} vs ${round(median(fixed))} ms; baseline: the fixed-threshold plan`,
      }),
      row({
        id: 'compare.cpu',
        figure: `${label}: CLI CPU`,
        unit: '% of a core',
        ours: round(cpu),
        baseline: null,
        target: '≤ 5 %',
        pass: cpu === null ? null : cpu <= 5,
      }),
      row({
        id: 'compare.rss',
        figure: `${label}: CLI peak RSS`,
        unit: 'MB',
        ours: round(load.peakRssMb),
        baseline: null,
        target: '≤ 150 MB',
        pass: load.peakRssMb === null ? null : load.peakRssMb <= 150,
      }),
    ];
  } finally {
    await prometheus.close();
    await service.close();
    removeDir(dir);
  }
}

function comparedCheck(prometheus, version) {
  return {
    name: 'errors',
    server: prometheus.url,
    compare: { method: 'fisher', baseline: side('stable'), canary: side(version), step: '1s', minRequests: 20 },
    interval: '1s',
    failureThreshold: 1,
  };
}

/** One trial: the canary's traffic starts, the CLI runs; ms from the first request to the rollback's stamp. */
async function detect({ dir, env, service, label, check }) {
  const version = `canary-${label}`;
  const stamp = path.join(dir, `rollback-${label}.ns`);
  const plan = writeMetricPlan(dir, { file: `${label}.yml`, soak: '30s', rollback: `date +%s%N > ${JSON.stringify(stamp)}`, checks: [check(version)] });
  const started = Date.now();
  service.setTraffic(version, BAD_CANARY);
  await measureCli(['run', '--config', plan], { env, cwd: dir, expectCode: 1 });
  service.setTraffic(version, { ...BAD_CANARY, rps: 0 });
  return Number(BigInt(readFileSync(stamp, 'utf8').trim()) / 1000n) / 1000 - started;
}
