import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { interpolatePromql } from '../../src/checks/prometheus/promql.js';
import { describeResult, repoRoot, runCli } from '../helpers/cli.js';
import { type MetricsService, startMetricsService } from '../helpers/metrics-service.js';
import { startPrometheus, type TestPrometheus } from '../helpers/prometheus.js';

const PLAN = path.join(repoRoot, 'examples', 'prometheus', 'rollout.config.yml');

interface ExampleCheck {
  query: string;
}

describe('examples/prometheus', { timeout: 60_000 }, () => {
  it('is a valid plan', async () => {
    const result = await runCli(['validate', '-c', PLAN], { cwd: repoRoot });
    expect(result.exitCode, describeResult(result)).toBe(0);
  });

  describe('its queries, against a real Prometheus', () => {
    let service: MetricsService;
    let prometheus: TestPrometheus;
    let checks: Record<string, ExampleCheck>;
    let vars: Record<string, string>;
    beforeAll(async () => {
      const plan = parse(await fs.readFile(PLAN, 'utf8')) as { vars: Record<string, string>; checks: Record<string, ExampleCheck> };
      checks = plan.checks;
      vars = plan.vars;
      service = await startMetricsService({ labels: { service: vars.service as string } });
      service.setTraffic('v2.3.0', { rps: 200, errorRate: 0, latencyMs: 100 });
      service.setTraffic(vars.version as string, { rps: 100, errorRate: 0.05, latencyMs: 400 });
      prometheus = await startPrometheus([service.target]);
    }, 40_000);
    afterAll(async () => {
      await prometheus?.close();
      await service?.close();
    });

    /** The check's query with the plan's vars filled in, as the CLI does. */
    const query = (name: string, version = vars.version as string) =>
      interpolatePromql(
        checks[name]?.query ?? '',
        (scope, key) => (scope === 'vars' ? (key === 'version' ? version : vars[key]) : undefined),
        (message) => {
          throw new Error(message);
        },
      );
    const value = (result: { value: [number, string] }[]) => Number(result[0]?.value[1]);

    it('error-rate is the new version’s 5xx share, 0 for a version without errors, no data for one without traffic', async () => {
      await prometheus.waitFor(query('error-rate'), (r) => Math.abs(value(r) - 0.05) < 0.01);
      await prometheus.waitFor(query('error-rate', 'v2.3.0'), (r) => r.length === 1 && value(r) === 0);
      expect((await prometheus.query(query('error-rate', 'v9.9.9'))).result).toEqual([]);
    });

    it('p95-latency is the new version’s 95th percentile in seconds', async () => {
      // Latencies spread over 0.24–0.56 s: the true p95 (~0.54 s) lies in the 0.5–1 s bucket, which
      // histogram_quantile interpolates in. Above the plan's fail: 0.5, as a 4× slower version should be.
      await prometheus.waitFor(query('p95-latency'), (r) => value(r) > 0.5 && value(r) <= 1);
    });

    it('p95-vs-stable compares the new version with the others', async () => {
      // 0.1 s stable p95 against ~0.5 s: several times slower.
      await prometheus.waitFor(query('p95-vs-stable'), (r) => value(r) > 2);
    });
  });
});
