import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, describeResult, startCli, toCliResult } from '../helpers/cli.js';
import { type MetricsService, startMetricsService } from '../helpers/metrics-service.js';
import { startPrometheus, type TestPrometheus } from '../helpers/prometheus.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * Comparison checks (`compare:`) through the built CLI against a real Prometheus: a stable and a
 * canary version of one service export the same metrics, told apart by their `version` label. Each
 * test has its own pair of versions, so tests never see each other's traffic.
 */
describe('prometheus comparison checks against a real Prometheus', { timeout: 120_000 }, () => {
  let service: MetricsService;
  let prometheus: TestPrometheus;
  let dir: string;
  const NORMAL = { rps: 100, errorRate: 0, latencyMs: 10 };
  const TRAFFIC: Record<string, { rps: number; errorRate: number; latencyMs: number }> = {
    'shared-stable': { ...NORMAL, latencyMs: 100 },
    'shared-canary': { ...NORMAL, rps: 20, latencyMs: 100 },
    'slow-stable': NORMAL,
    'slow-canary': { ...NORMAL, rps: 20, latencyMs: 20 },
    'errors-stable': NORMAL,
    'errors-canary': { ...NORMAL, rps: 20, errorRate: 0.05 },
    'quiet-stable': NORMAL,
    'quiet-canary': { ...NORMAL, rps: 1 },
    'same-stable': { ...NORMAL, errorRate: 0.01 },
    'same-canary': { ...NORMAL, rps: 20, errorRate: 0.01 },
    'fresh-stable': NORMAL,
    'fresh-canary': { ...NORMAL, rps: 20 },
  };

  beforeAll(async () => {
    service = await startMetricsService();
    for (const [version, traffic] of Object.entries(TRAFFIC)) service.setTraffic(version, traffic);
    prometheus = await startPrometheus([service.target]);
    dir = await makeTempDir();
    for (const version of Object.keys(TRAFFIC)) await prometheus.waitFor(p95(version), (r) => r.length === 1 && Number.isFinite(Number(r[0]?.value[1])));
  }, 60_000);
  afterAll(async () => {
    await prometheus?.close();
    await service?.close();
    await removeTempDir(dir);
  });

  function p95(version: string): string {
    return `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{version="${version}"}[3s])))`;
  }
  const latency = (name: string, options = '') => `  ${name}:
    type: prometheus
    server: \${vars.prometheus}
    compare:
      baseline: '${p95('${vars.pair}-stable')}'
      canary: '${p95('${vars.pair}-canary')}'
      step: 1s
      minSamples: 5${options}
    interval: 1s
    failureThreshold: 1`;
  const errors = (name: string, options = '') => `  ${name}:
    type: prometheus
    server: \${vars.prometheus}
    compare:
      method: fisher
      baseline: { errors: 'http_requests_total{version="\${vars.pair}-stable",code="500"}', total: 'http_requests_total{version="\${vars.pair}-stable"}' }
      canary: { errors: 'http_requests_total{version="\${vars.pair}-canary",code="500"}', total: 'http_requests_total{version="\${vars.pair}-canary"}' }
      step: 1s
      minRequests: 50${options}
    interval: 1s
    failureThreshold: 1`;
  const fixed = `  fixed-p95:
    type: prometheus
    server: \${vars.prometheus}
    query: '${p95('${vars.pair}-canary')}'
    pass: result < 0.05
    interval: 1s
    dryRun: true`;

  async function rollout(pair: string, checks: string[], soak = '8s'): Promise<CliResult> {
    return toCliResult(await (await startRollout(pair, checks, soak)).child);
  }
  /** The running CLI, boxed: a returned ResultPromise would be awaited to its end. */
  async function startRollout(pair: string, checks: string[], soak: string, command = ['run', '--json']) {
    const file = `${pair}-${Math.random().toString(36).slice(2, 8)}`;
    const names = checks.map((c) => /^ {2}([\w-]+):/.exec(c)?.[1]);
    await writePlan(
      dir,
      `name: ${file}
vars: { pair: ${pair}, prometheus: "${prometheus.url}" }
state: state/${file}.json
defaults: { health: { failureThreshold: 3 } }
checks:
${checks.join('\n')}
stages:
  - name: canary
    deploy: "true"
    soak: ${soak}
    checks: [${names.join(', ')}]
`,
      `${file}.yml`,
    );
    return { child: startCli([...command, '-c', `${file}.yml`], { cwd: dir }) };
  }
  const events = (result: CliResult) =>
    result.stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown> & { type: string });
  const polls = (result: CliResult, check: string) => events(result).filter((e) => e.type === 'check.polled' && e.check === check);
  const failure = (result: CliResult) => events(result).find((e) => e.type === 'stage.failed');

  it('a slowdown shared by both versions passes the comparison, where a fixed threshold on the same data fails', async () => {
    const result = await rollout('shared', [latency('latency'), fixed]);
    expect(result.exitCode, describeResult(result)).toBe(0);
    const compared = polls(result, 'latency');
    expect(compared.filter((p) => p.outcome === 'pass').length).toBeGreaterThan(0);
    expect(compared.filter((p) => p.outcome === 'fail')).toEqual([]);
    // The fixed `p95 < 50ms` on the canary alone fails every time, and would have rolled back (it is
    // dryRun here, so one run shows both).
    const fixedPolls = polls(result, 'fixed-p95');
    expect(fixedPolls).toHaveLength(3);
    expect(fixedPolls.every((p) => p.outcome === 'fail')).toBe(true);
    expect(events(result).find((e) => e.type === 'check.finished' && e.check === 'fixed-p95')).toMatchObject({ verdict: 'fail', dryRun: true });
  });

  it('a doubled p95 fails, and the reason gives both sides, the shift with its interval, the p-value and the effect', async () => {
    const result = await rollout('slow', [latency('latency')]);
    expect(result.exitCode, describeResult(result)).toBe(1);
    const failed = failure(result);
    expect(failed).toMatchObject({ check: 'latency' });
    expect(String(failed?.reason)).toMatch(
      /^prometheus check latency failed once: canary higher: canary n=\d+ median 0\.0\d+ p95 0\.0\d+ vs baseline n=\d+ median 0\.0\d+ p95 0\.0\d+: shift \+0\.0\d+ \(98 % CI [\d.]+ to [\d.]+\), p (<|=) [\d.]+ ≤ [\d.]+ \(look \d+ of 9\); mean ratio [\d.]+ > 1\.2 allowed$/,
    );
    const last = polls(result, 'latency').at(-1);
    expect(last).toMatchObject({ outcome: 'fail', value: { method: 'mannWhitney', effect: { measure: 'meanRatio' } } });
    expect((last?.value as { effect?: { value: number } } | undefined)?.effect?.value).toBeGreaterThan(1.5);
  });

  it('a canary failing 5 % of its requests fails on the counts, with them in the reason', async () => {
    const result = await rollout('errors', [errors('errors')]);
    expect(result.exitCode, describeResult(result)).toBe(1);
    const reason = String(failure(result)?.reason);
    expect(reason).toMatch(
      /^prometheus check errors failed once: canary errors \d+\/\d+ vs baseline 0\/[\d,]+: [\d.]+ % vs 0 %, p (<|=) [\d.]+ ≤ [\d.]+ \(look \d+\) \(mixture SPRT, valid at every look\); difference [\d.]+ % > 0 % allowed$/,
    );
    const [, errorsSeen, requests] = /canary errors (\d+)\/(\d+)/.exec(reason) ?? [];
    expect(Number(errorsSeen) / Number(requests)).toBeGreaterThan(0.03);
  });

  it('too little canary traffic is inconclusive, never a pass', async () => {
    const result = await rollout('quiet', [errors('errors')], '4s');
    expect(result.exitCode, describeResult(result)).toBe(1);
    const measured = polls(result, 'errors');
    expect(measured.length).toBeGreaterThan(0);
    for (const poll of measured)
      expect(poll).toMatchObject({ outcome: 'inconclusive', reason: expect.stringMatching(/^not enough traffic: canary \d+ of 50 requests \(minRequests\)/) });
    expect(String(failure(result)?.reason)).toMatch(/^check errors was inconclusive: .*minRequests.*\(onInconclusive: fail\)$/);
  });

  it("a fresh canary's first errors count: a 5xx series born inside the soak is counted from 0", async () => {
    // The canary serves no error until the soak runs, then a few, then none: its `code="500"` series
    // is created by the first error and then stays flat, which rate() and increase() read as 0.
    const { child } = await startRollout('fresh', [errors('errors', '\n      effect: { allowed: 0.5 }')], '9s');
    let seen = '';
    child.stdout?.on('data', (chunk) => {
      seen += chunk;
    });
    await expect.poll(() => seen.includes('"type":"check.polled"'), { timeout: 15_000, interval: 50 }).toBe(true);
    service.setTraffic('fresh-canary', { ...TRAFFIC['fresh-canary'], errorRate: 0.05 } as never);
    await expect.poll(() => service.counts('fresh-canary')['500'] ?? 0, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(3);
    service.setTraffic('fresh-canary', TRAFFIC['fresh-canary'] as never);
    const served = service.counts('fresh-canary')['500'] ?? 0;
    const result = toCliResult(await child);
    expect(result.exitCode, describeResult(result)).toBe(0);
    const last = polls(result, 'errors').at(-1) as { value?: { canary?: { events?: number } } } | undefined;
    expect(last?.value?.canary?.events).toBe(served);
    const answer = await prometheus.query('sum(increase(http_requests_total{version="fresh-canary",code="500"}[15s]))');
    expect(Number((answer.result as { value: [number, string] }[])[0]?.value[1] ?? 0), 'what increase() makes of the same series').toBeLessThan(served);
  });

  it('validate and plan say how many points a comparison gets by the soak’s end, and warn when minSamples cannot be reached', async () => {
    const checks = [latency('latency').replace('step: 1s', 'step: 2s'), latency('tight')];
    const validated = toCliResult(await (await startRollout('same', checks, '4s', ['validate'])).child);
    expect(validated.exitCode, describeResult(validated)).toBe(0);
    expect(validated.stderr).toContain(
      'warning: canary: check latency: compare.minSamples 5 cannot be reached: the soak gives 3 points per side, so it is always inconclusive',
    );
    expect(validated.stderr).toContain('warning: canary: check tight: compare.minSamples 5 leaves no margin: the soak gives exactly 5 points per side');
    const planned = toCliResult(await (await startRollout('same', checks, '4s', ['plan'])).child);
    expect(planned.stdout).toContain("latency: within 3.0s; 5 measurements by the soak's end, 3 points per side");
    // A comparison's first fail decides unless the check says otherwise, whatever defaults.health says.
    const json = toCliResult(await (await startRollout('same', [latency('latency').replace('\n    failureThreshold: 1', '')], '4s', ['plan', '--json'])).child);
    const doc = JSON.parse(json.stdout) as { stages: { health: { failureThreshold: number; compare: unknown }[] }[] };
    expect(doc.stages[0]?.health[0]).toMatchObject({ failureThreshold: 1, compare: { method: 'mannWhitney', confidence: 0.98, minSamples: 5 } });
  });

  it('a side Prometheus cannot answer is "could not measure", naming the query — not a failed canary', async () => {
    const broken = latency('latency').replace("canary: '", "canary: 'sum(rate(").concat('\n    maxConsecutiveErrors: 2');
    const result = await rollout('same', [broken], '4s');
    expect(result.exitCode, describeResult(result)).toBe(1);
    const [first] = polls(result, 'latency');
    expect(first).toMatchObject({
      outcome: 'error',
      error: { message: expect.stringMatching(/^Prometheus answered HTTP 400: bad_data: .*\(query: sum\(rate\(histogram_quantile/) },
    });
    expect(String(failure(result)?.reason)).toMatch(/^could not measure prometheus check latency \(2 times in a row\): /);
  });

  it('identical versions pass both comparisons, on every look', async () => {
    for (let round = 0; round < 2; round++) {
      const result = await rollout('same', [latency('latency'), errors('errors')], '6s');
      expect(result.exitCode, describeResult(result)).toBe(0);
      for (const check of ['latency', 'errors']) {
        const outcomes = polls(result, check).map((p) => p.outcome);
        expect(
          outcomes.filter((o) => o === 'fail' || o === 'error'),
          check,
        ).toEqual([]);
        expect(outcomes.at(-1), check).toBe('pass');
      }
    }
  });
});
