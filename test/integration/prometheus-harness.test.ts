import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpolatePromql } from '../../src/checks/prometheus/promql.js';
import { type MetricsService, startMetricsService } from '../helpers/metrics-service.js';
import { PROMETHEUS_MISSING, prometheusBinary, startPrometheus, type TestPrometheus } from '../helpers/prometheus.js';

/** The harness the Prometheus e2e tests stand on: a real Prometheus scraping the test service. */
describe('a real Prometheus scraping the test service', { timeout: 60_000 }, () => {
  let service: MetricsService;
  let prometheus: TestPrometheus;
  beforeAll(async () => {
    service = await startMetricsService();
    service.setTraffic('v1', { rps: 100, errorRate: 0, latencyMs: 10 });
    service.setTraffic('v2', { rps: 100, errorRate: 0.05, latencyMs: 100 });
    prometheus = await startPrometheus([service.target]);
  });
  afterAll(async () => {
    await prometheus?.close();
    await service?.close();
  });

  // `or vector(0)`: a version with traffic but no 5xx has no 5xx series at all; with it the ratio is 0, not empty.
  const ratio = (version: string) =>
    `(sum(rate(http_requests_total{version="${version}",code=~"5.."}[5s])) or vector(0)) / sum(rate(http_requests_total{version="${version}"}[5s]))`;
  const p95 = (version: string) => `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{version="${version}"}[5s])))`;
  const value = (result: { value: [number, string] }[]) => Number(result[0]?.value[1]);

  it('sees the error ratio and the p95 latency the load generator was told to produce', async () => {
    await prometheus.waitFor(ratio('v2'), (r) => Math.abs(value(r) - 0.05) < 0.01);
    await prometheus.waitFor(ratio('v1'), (r) => value(r) === 0);
    await prometheus.waitFor(p95('v1'), (r) => value(r) > 0.005 && value(r) < 0.025);
    await prometheus.waitFor(p95('v2'), (r) => value(r) > 0.1 && value(r) < 0.25);
    expect(service.counts('v2')['500']).toBeGreaterThan(0);
  });

  it('has no data for a version that gets no traffic', async () => {
    service.setTraffic('v3', { rps: 0, errorRate: 0, latencyMs: 10 });
    expect((await prometheus.query(ratio('v3'))).result).toEqual([]);
  });

  it('parses a query whose var tried to break out of its label matcher as one harmless label value', async () => {
    const query = interpolatePromql(
      'sum(http_requests_total{version="${vars.v}"})',
      () => '"} or vector(1) or {x="\\',
      () => undefined,
    );
    expect((await prometheus.query(query)).result).toEqual([]);
  });

  it('answers again after a restart', async () => {
    await prometheus.stop();
    await expect(fetch(`${prometheus.url}/-/ready`)).rejects.toThrow();
    await prometheus.start();
    await prometheus.waitFor('up', (r) => r.length === 1);
  });
});

describe('without Prometheus installed', () => {
  it('fails, saying what to install, instead of skipping', () => {
    expect(() => prometheusBinary({ PATH: '/nonexistent' })).toThrow(PROMETHEUS_MISSING);
    expect(PROMETHEUS_MISSING).toMatch(/apt-get install prometheus/);
  });
});
