import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, describeResult, runCli, STACK_TRACE, startCli, toCliResult } from '../helpers/cli.js';
import { type MetricsService, startMetricsService } from '../helpers/metrics-service.js';
import { startPrometheus, type TestPrometheus } from '../helpers/prometheus.js';
import { readState } from '../helpers/state.js';
import { makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * Canary analysis through the built CLI against a real Prometheus scraping a service whose traffic
 * the test steers per version. One Prometheus for the file; each test rolls out its own version
 * label, so tests never see each other's traffic. Soaks are seconds, rate() windows 5s.
 */
describe('prometheus checks against a real Prometheus', { timeout: 90_000 }, () => {
  let service: MetricsService;
  let prometheus: TestPrometheus;
  let dir: string;
  const STABLE = { rps: 100, errorRate: 0, latencyMs: 10 };

  beforeAll(async () => {
    service = await startMetricsService();
    for (const version of ['good', 'five-percent', 'slow', 'dry', 'gone', 'typo']) service.setTraffic(version, STABLE);
    service.setTraffic('five-percent', { ...STABLE, errorRate: 0.05 });
    service.setTraffic('slow', { ...STABLE, latencyMs: 100 });
    service.setTraffic('dry', { ...STABLE, errorRate: 0.05 });
    prometheus = await startPrometheus([service.target]);
    dir = await makeTempDir();
    // Every version's 5s rate windows hold data before any rollout judges them.
    for (const version of ['good', 'five-percent', 'slow', 'dry', 'gone']) await prometheus.waitFor(errorRatio(version), (r) => r.length === 1);
    await prometheus.waitFor(errorRatio('five-percent'), (r) => Number(r[0]?.value[1]) > 0.03);
  }, 60_000);
  afterAll(async () => {
    await prometheus?.close();
    await service?.close();
    await removeTempDir(dir);
  });

  function errorRatio(version: string): string {
    return `(sum(rate(http_requests_total{version="${version}",code=~"5.."}[5s])) or vector(0)) / sum(rate(http_requests_total{version="${version}"}[5s]))`;
  }
  function p95(version: string): string {
    return `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{version="${version}"}[5s])))`;
  }

  /** A one-stage canary plan judged by the named checks; the rollback leaves a marker. */
  async function plan(version: string, checks: string, { extra = '', soak = '4s', run = ['error-rate'] } = {}): Promise<string> {
    const file = `${version}-${Math.random().toString(36).slice(2, 8)}`;
    await writePlan(
      dir,
      `name: ${file}
vars: { version: ${version}, prometheus: "${prometheus.url}" }
state: state/${file}.json${extra}
checks:
${checks}
defaults: { checks: [${run.join(', ')}] }
stages:
  - name: canary
    deploy: "true"
    rollback: echo rolled-back >> ${file}.rollback
    soak: ${soak}
`,
      `${file}.yml`,
    );
    return file;
  }
  const errorRateCheck = (options = '') => `  error-rate:
    type: prometheus
    server: \${vars.prometheus}
    query: '(sum(rate(http_requests_total{version="\${vars.version}",code=~"5.."}[5s])) or vector(0)) / sum(rate(http_requests_total{version="\${vars.version}"}[5s]))'
    pass: result < 0.01
    fail: result >= 0.02
    interval: 1s
    failureThreshold: 2${options}`;
  const run = (file: string) => runCli(['run', '--json', '-c', `${file}.yml`], { cwd: dir });
  const events = (result: CliResult) =>
    result.stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown> & { type: string });
  const polls = (result: CliResult, check: string) => events(result).filter((e) => e.type === 'check.polled' && e.check === check);
  const rolledBack = async (file: string) => (await readLines(`${dir}/${file}.rollback`)).length > 0;

  it('passes a healthy canary on its measured error ratio', async () => {
    const file = await plan('good', errorRateCheck('\n    minSamples: 3'));
    const result = await run(file);
    expect(result.exitCode, describeResult(result)).toBe(0);
    const measured = polls(result, 'error-rate');
    expect(measured.length).toBeGreaterThanOrEqual(3);
    for (const poll of measured) expect(poll).toMatchObject({ kind: 'prometheus', outcome: 'pass', value: 0, display: '0' });
    expect(events(result).find((e) => e.type === 'check.finished')).toMatchObject({ check: 'error-rate', verdict: 'pass' });
    expect(await rolledBack(file)).toBe(false);
  });

  it('rolls back a canary failing 5 % of its requests, saying which check and what value', async () => {
    const file = await plan('five-percent', errorRateCheck());
    const result = await run(file);
    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(await rolledBack(file)).toBe(true);
    const failed = events(result).find((e) => e.type === 'stage.failed');
    expect(failed).toMatchObject({ stage: 'canary', check: 'error-rate', value: expect.stringMatching(/^0\.0[3-7]/) });
    expect(String(failed?.reason)).toMatch(/error-rate/);
    expect(polls(result, 'error-rate').filter((p) => p.outcome === 'fail')).toHaveLength(2);
  });

  it('rolls back a latency regression (p95 ten times the stable version’s)', async () => {
    const file = await plan(
      'slow',
      `${errorRateCheck()}
  p95-latency:
    type: prometheus
    server: \${vars.prometheus}
    query: '${p95('${vars.version}')}'
    pass: result < 0.05
    interval: 1s
    failureThreshold: 2`,
      { run: ['error-rate', 'p95-latency'] },
    );
    const result = await run(file);
    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(await rolledBack(file)).toBe(true);
    const failed = events(result).find((e) => e.type === 'stage.failed');
    expect(failed).toMatchObject({ check: 'p95-latency' });
    // True p95 ~0.136 s lies in the 0.1–0.25 s bucket, which histogram_quantile interpolates in.
    expect(Number(failed?.value)).toBeGreaterThan(0.1);
    expect(Number(failed?.value)).toBeLessThanOrEqual(0.25);
    expect(polls(result, 'error-rate').every((p) => p.outcome === 'pass')).toBe(true);
  });

  for (const [onInconclusive, exitCode] of [
    ['fail', 1],
    ['pass', 0],
  ] as const) {
    it(`calls a canary that got no traffic inconclusive, and onInconclusive: ${onInconclusive} decides`, async () => {
      const file = await plan('never-deployed', errorRateCheck('\n    minSamples: 2'), { extra: `\nonInconclusive: ${onInconclusive}` });
      const result = await run(file);
      expect(result.exitCode, describeResult(result)).toBe(exitCode);
      const measured = polls(result, 'error-rate');
      expect(measured.length).toBeGreaterThan(0);
      for (const poll of measured) expect(poll).toMatchObject({ outcome: 'inconclusive', value: null, display: 'no data' });
      expect(events(result).find((e) => e.type === 'check.finished')).toMatchObject({ check: 'error-rate', verdict: 'inconclusive' });
      if (onInconclusive === 'pass') expect(events(result).find((e) => e.type === 'stage.passed')).toMatchObject({ inconclusive: ['error-rate'] });
      else expect(String(events(result).find((e) => e.type === 'stage.failed')?.reason)).toMatch(/inconclusive/);
    });
  }

  it('reports a bad query as an error naming the query, and stops with "could not measure" — not a failed canary', async () => {
    const file = await plan(
      'typo',
      `  error-rate:
    type: prometheus
    server: \${vars.prometheus}
    query: sum(rate(http_requests_total{version="\${vars.version}"}[5s])
    pass: result < 0.01
    interval: 500ms
    maxConsecutiveErrors: 2`,
    );
    const result = await run(file);
    expect(result.exitCode, describeResult(result)).toBe(1);
    const [first] = polls(result, 'error-rate');
    expect(first).toMatchObject({
      outcome: 'error',
      error: { message: expect.stringMatching(/HTTP 400: bad_data: .*parse error.*\(query: sum\(rate\(http_requests_total\{version="typo"\}\[5s\]\)\)$/) },
    });
    expect(String(events(result).find((e) => e.type === 'stage.failed')?.reason)).toMatch(/could not measure/);
    expect(polls(result, 'error-rate').filter((p) => p.outcome === 'fail')).toEqual([]);
    expect(result.all).not.toMatch(STACK_TRACE);
  });

  it('a dryRun check that fails is shown and recorded but does not fail the stage', async () => {
    const file = await plan('dry', errorRateCheck('\n    dryRun: true'));
    const result = await run(file);
    expect(result.exitCode, describeResult(result)).toBe(0);
    const failing = polls(result, 'error-rate').filter((p) => p.outcome === 'fail');
    expect(failing.length).toBeGreaterThanOrEqual(2);
    for (const poll of failing) expect(poll).toMatchObject({ dryRun: true });
    expect(await rolledBack(file)).toBe(false);
    // Its misses are counted apart from the deciding checks' (the FAILED column is not "why it failed").
    const state = await readState(`${dir}/state/${file}.json`);
    expect(state.stages[0]?.checkResults).toMatchObject({ failures: 0, dryRunFailures: failing.length });
    const status = await runCli(['status', '-c', `${file}.yml`], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(status.stdout).toMatch(new RegExp(`canary +succeeded +\\S+ +\\d+ +0 \\+${failing.length} dryRun +error-rate \\[dryRun\\]: `));
  });

  it('a fail: condition alone is a complete rule (what it does not catch passes)', async () => {
    const file = await plan('good', errorRateCheck().replace('    pass: result < 0.01\n', ''));
    const result = await run(file);
    expect(result.exitCode, describeResult(result)).toBe(0);
    for (const poll of polls(result, 'error-rate')) expect(poll).toMatchObject({ outcome: 'pass', condition: 'fail: result >= 0.02' });
  });

  // Last: it stops the file's Prometheus (and starts it again for anything after).
  it('Prometheus stopped mid-soak: errors, then "could not measure" after maxConsecutiveErrors — not a canary failure', async () => {
    const file = await plan('gone', errorRateCheck('\n    maxConsecutiveErrors: 3').replace('interval: 1s', 'interval: 500ms'), { soak: '30s' });
    const child = startCli(['run', '--json', '-c', `${file}.yml`], { cwd: dir });
    let seen = '';
    child.stdout?.on('data', (chunk) => {
      seen += chunk;
    });
    await expect.poll(() => seen.includes('"outcome":"pass"'), { timeout: 15_000, interval: 100 }).toBe(true);
    await prometheus.stop();
    const result = toCliResult(await child);
    await prometheus.start();
    expect(result.exitCode, describeResult(result)).toBe(1);
    const measured = polls(result, 'error-rate');
    const errors = measured.filter((p) => p.outcome === 'error');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatchObject({
      error: { message: expect.stringMatching(/could not reach Prometheus at http:\/\/127\.0\.0\.1:\d+: connection refused/) },
    });
    expect(measured.filter((p) => p.outcome === 'fail')).toEqual([]);
    expect(String(events(result).find((e) => e.type === 'stage.failed')?.reason)).toMatch(/could not measure/);
  });
});
