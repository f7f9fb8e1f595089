import path from 'node:path';
import { cliEnv, measureCli, removeDir, round, row, tempDir, writePlan } from './lib/common.js';
import { startHealthServer } from './lib/health-server.js';
import { errorRatio, writeMetricPlan } from './lib/metric-plan.js';
import { startMetricsService } from './lib/metrics-service.js';
import { startPrometheus } from './lib/prometheus.js';

/**
 * Figure 6, metric checks at scale: `checks` prometheus checks every second for a `seconds` soak
 * against a real Prometheus, each an error-ratio query like users write. CPU (share of one core
 * over the run's wall time) and peak RSS of the CLI, from /usr/bin/time. Baseline: the same CLI
 * with as many plain http checks against a local server, so the ratio is what the query kind costs.
 */
export async function bench({ checks = 200, seconds = 60, scrapeInterval = '1s' } = {}) {
  const dir = tempDir('metric-load');
  const service = await startMetricsService();
  service.setTraffic('v2', { rps: 200, errorRate: 0.002, latencyMs: 20 });
  const prometheus = await startPrometheus([service.target], { scrapeInterval });
  const server = await startHealthServer();
  try {
    const env = cliEnv();
    const query = errorRatio('v2', '5s');
    await prometheus.waitFor(query, (result) => result.length === 1);
    const metricPlan = writeMetricPlan(dir, {
      file: 'metric.yml',
      soak: `${seconds}s`,
      checks: Array.from({ length: checks }, (_, i) => ({
        name: `q${i}`,
        server: prometheus.url,
        query,
        pass: 'result < 0.01',
        interval: '1s',
        timeout: '2s',
      })),
    });
    const ours = await measureCli(['run', '--config', metricPlan], { env, cwd: dir, withTime: true });
    const httpPlan = writePlan(dir, {
      file: 'http.yml',
      stages: [
        {
          name: 'canary',
          deploy: 'true',
          soak: `${seconds}s`,
          health: Array.from({ length: checks }, (_, i) => ({ url: server.url(`/c${i}`), interval: '1s', timeout: '2s' })),
        },
      ],
    });
    const http = await measureCli(['run', '--config', httpPlan, '--state', path.join(dir, 'http-state.json')], { env, cwd: dir, withTime: true });
    const cpu = (run) => (run.cpuSeconds === null ? null : (100 * run.cpuSeconds) / (run.wallMs / 1000));
    const label = `${checks} prometheus checks × 1s, ${seconds}s soak`;
    const note = 'baseline: as many http checks against a local server';
    return [
      row({
        id: 'metric.cpu',
        figure: `${label}: CLI CPU`,
        unit: '% of a core',
        ours: round(cpu(ours)),
        baseline: round(cpu(http)),
        target: '≤ 5 %',
        pass: cpu(ours) === null ? null : cpu(ours) <= 5,
        note,
      }),
      row({
        id: 'metric.rss',
        figure: `${label}: CLI peak RSS`,
        unit: 'MB',
        ours: round(ours.peakRssMb),
        baseline: round(http.peakRssMb),
        target: '≤ 150 MB',
        pass: ours.peakRssMb === null ? null : ours.peakRssMb <= 150,
        note,
      }),
    ];
  } finally {
    await server.close();
    await prometheus.close();
    await service.close();
    removeDir(dir);
  }
}
