import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceIo } from '../../src/checks/metric/fetch.js';
import type { MetricSpec, RangeReading } from '../../src/checks/metric/source.js';
import { prometheusSource } from '../../src/checks/prometheus/index.js';
import type { PrometheusQuery } from '../../src/checks/prometheus/schema.js';
import { createHttpClient, type HttpClient } from '../../src/http/client.js';
import { type MetricsService, startMetricsService } from '../helpers/metrics-service.js';
import { startPrometheus, type TestPrometheus } from '../helpers/prometheus.js';

/**
 * The seam's optional `queryRange` — labelled series over a window, what a comparison of canary and
 * baseline needs — against a real Prometheus (`/api/v1/query_range`).
 */
describe('prometheus queryRange against a real Prometheus', { timeout: 60_000 }, () => {
  let service: MetricsService;
  let prometheus: TestPrometheus;
  let http: HttpClient;

  beforeAll(async () => {
    service = await startMetricsService();
    service.setTraffic('base', { rps: 100, errorRate: 0, latencyMs: 10 });
    service.setTraffic('canary', { rps: 100, errorRate: 0.1, latencyMs: 10 });
    prometheus = await startPrometheus([service.target]);
    http = createHttpClient({});
    await prometheus.waitFor('sum by (version) (rate(http_requests_total[5s]))', (r) => r.length >= 2);
    // Enough history for a few steps of the range below: rate() needs two scrapes, each step one more.
    await prometheus.waitFor('count_over_time(up[10s])', (r) => Number(r[0]?.value[1]) >= 9);
  }, 40_000);
  afterAll(async () => {
    await http?.close();
    await prometheus?.close();
    await service?.close();
  });

  const spec = (query: string): MetricSpec<PrometheusQuery> => ({
    kind: 'prometheus',
    server: prometheus.url,
    displayServer: prometheus.url,
    headers: {},
    caFile: null,
    ca: null,
    insecure: false,
    proxy: null,
    retries: 1,
    windowMs: 60_000,
    query: { query, displayQuery: query },
  });

  it('answers one labelled series per version, one point per step, times in ms', async () => {
    // Each version's 5xx ratio; `or … * 0` gives the version without errors a 0 instead of no series.
    const errors = 'sum by (version) (rate(http_requests_total{code=~"5.."}[5s]))';
    const all = 'sum by (version) (rate(http_requests_total[5s]))';
    const query = `(${errors} or ${all} * 0) / ${all}`;
    const now = Date.now();
    const io = sourceIo(spec(query), { http, timeoutMs: 5_000, env: {} }, new AbortController().signal);
    const reading = (await prometheusSource.queryRange?.(spec(query), { startMs: now - 4_000, endMs: now, stepMs: 1_000 }, io)) as RangeReading;
    expect(reading.kind).toBe('range');
    if (reading.kind !== 'range') return;
    const byVersion = Object.fromEntries(reading.series.map((one) => [one.labels.version, one.points]));
    expect(Object.keys(byVersion).sort()).toEqual(expect.arrayContaining(['base', 'canary']));
    expect(byVersion.canary?.length).toBeGreaterThanOrEqual(3);
    for (const [time, value] of byVersion.canary ?? []) {
      expect(time).toBeGreaterThanOrEqual(now - 5_000);
      expect(value).toBeGreaterThan(0.03);
    }
    for (const [, value] of byVersion.base ?? []) expect(value).toBe(0);
  });

  it('a bad query is an error naming it', async () => {
    const io = sourceIo(spec('sum(rate('), { http, timeoutMs: 5_000, env: {} }, new AbortController().signal);
    const now = Date.now();
    expect(await prometheusSource.queryRange?.(spec('sum(rate('), { startMs: now - 4_000, endMs: now, stepMs: 1_000 }, io)).toMatchObject({
      kind: 'error',
      error: { kind: 'query', message: expect.stringContaining('(query: sum(rate()') },
    });
  });
});
