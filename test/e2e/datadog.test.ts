import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { type FakeDatadog, startFakeDatadog } from '../helpers/datadog-api.js';
import { checksYaml, docPlan } from '../helpers/doc-checks.js';
import { runMetricRollout } from '../helpers/metric-rollout.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * `type: datadog` through the built CLI against a local server that implements Datadog's documented
 * query API (test/helpers/datadog-api.ts): the service cannot be reached from here, so these test
 * the documented request and response shapes, auth failures, rate limits, nulls and empty answers.
 */
describe('datadog checks against the documented Datadog query API', { timeout: 60_000 }, () => {
  let datadog: FakeDatadog;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    datadog = await startFakeDatadog();
    dir = await makeTempDir();
    env = { DD_API_KEY: datadog.apiKey, DD_APP_KEY: datadog.appKey };
  });
  afterAll(async () => {
    await datadog?.close();
    await removeTempDir(dir);
  });

  const errorRatio = (version: string) =>
    `sum:trace.http.request.errors{service:web,version:${version}}.as_count() / sum:trace.http.request.hits{service:web,version:${version}}.as_count()`;
  const p95 = (version: string) => `p95:trace.http.request{service:web,version:${version}}`;
  const checks = `  error-rate:
    type: datadog
    server: \${vars.datadog}
    query: sum:trace.http.request.errors{service:web,version:\${vars.version}}.as_count() / sum:trace.http.request.hits{service:web,version:\${vars.version}}.as_count()
    window: 5m
    pass: result < 0.01
    interval: 1s
    failureThreshold: 2
  p95-latency:
    type: datadog
    server: \${vars.datadog}
    query: p95:trace.http.request{service:web,version:\${vars.version}}
    pass: result < 0.3
    interval: 1s
    failureThreshold: 2`;
  const rollout = (version: string, options: { run?: string[]; extra?: string; checks?: string; env?: Record<string, string> } = {}) =>
    runMetricRollout(dir, {
      vars: { version, datadog: datadog.url },
      checks: options.checks ?? checks,
      run: options.run ?? ['error-rate', 'p95-latency'],
      extra: options.extra ?? '',
      env: options.env ?? env,
    });

  it('passes a healthy canary; asks with DD-API-KEY, DD-APPLICATION-KEY, from/to over the window; skips trailing nulls', async () => {
    datadog.answers.set(errorRatio('good'), [{ scope: 'service:web,version:good', values: [0.002, 0.004, null] }]);
    datadog.answers.set(p95('good'), [{ scope: 'service:web,version:good', values: [0.11, 0.12] }]);
    const before = datadog.requests.length;
    const run = await rollout('good');
    expect(run.result.exitCode, describeResult(run.result)).toBe(0);
    for (const poll of run.polls('error-rate')) expect(poll).toMatchObject({ kind: 'datadog', outcome: 'pass', value: 0.004 });
    for (const poll of run.polls('p95-latency')) expect(poll).toMatchObject({ outcome: 'pass', value: 0.12 });
    const asked = datadog.requests.slice(before).find((r) => r.params.get('query') === errorRatio('good'));
    expect(asked?.headers['dd-api-key']).toBe(datadog.apiKey);
    expect(asked?.headers['dd-application-key']).toBe(datadog.appKey);
    expect(Number(asked?.params.get('to')) - Number(asked?.params.get('from'))).toBe(300);
  });

  it('the example in docs/checks.md (with server: instead of its site) passes a healthy canary', async () => {
    const doc = docPlan('datadog');
    for (const check of Object.values(doc.checks)) delete check.site;
    datadog.answers.set(errorRatio('docs'), [{ scope: 'service:web,version:docs', values: [0.001] }]);
    datadog.answers.set(p95('docs'), [{ scope: 'service:web,version:docs', values: [0.2] }]);
    const run = await runMetricRollout(dir, {
      vars: { ...doc.vars, version: 'docs' },
      checks: checksYaml(doc.checks, { interval: '1s', server: datadog.url }),
      run: Object.keys(doc.checks),
      env,
    });
    expect(run.result.exitCode, describeResult(run.result)).toBe(0);
    expect(run.polls('error-rate')[0]).toMatchObject({ outcome: 'pass', value: 0.001 });
    expect(run.polls('p95-latency')[0]).toMatchObject({ outcome: 'pass', value: 0.2 });
  });

  it('rolls back a canary whose error ratio is 5 %', async () => {
    datadog.answers.set(errorRatio('bad'), [{ scope: 'service:web,version:bad', values: [0.05] }]);
    datadog.answers.set(p95('bad'), [{ scope: 'service:web,version:bad', values: [0.1] }]);
    const run = await rollout('bad');
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    expect(run.events.find((e) => e.type === 'stage.failed')).toMatchObject({ check: 'error-rate', value: '0.05' });
    expect(await run.rolledBack()).toBe(true);
  });

  it('an empty series list, or only nulls, is no data: inconclusive', async () => {
    datadog.answers.set(p95('quiet'), [{ scope: 'service:web,version:quiet', values: [null, null] }]);
    const run = await rollout('quiet', { extra: '\nonInconclusive: fail' });
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    for (const check of ['error-rate', 'p95-latency'])
      for (const poll of run.polls(check)) expect(poll).toMatchObject({ outcome: 'inconclusive', display: 'no data' });
  });

  it('a wrong key is "could not measure" saying Datadog refused it, and the key is never shown', async () => {
    const wrong = 'wrong-key-4242424242';
    const run = await rollout('good', {
      env: { DD_API_KEY: wrong, DD_APP_KEY: datadog.appKey },
      extra: '',
      checks: checks.replace('failureThreshold: 2', 'maxConsecutiveErrors: 2'),
      run: ['error-rate'],
    });
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    expect(String(run.polls('error-rate')[0]?.display)).toMatch(/Datadog refused the API or application key \(HTTP 403: Forbidden\)/);
    expect(String(run.events.find((e) => e.type === 'stage.failed')?.reason)).toMatch(/could not measure datadog check error-rate/);
    expect(run.result.stdout + run.result.stderr).not.toContain(wrong);
    expect(run.result.stderr).not.toMatch(STACK_TRACE);
  });

  it('no key at all is "could not measure" naming the variable to set', async () => {
    const run = await rollout('good', {
      env: { DD_API_KEY: '', DD_APP_KEY: '' },
      checks: checks.replace('failureThreshold: 2', 'maxConsecutiveErrors: 1'),
      run: ['error-rate'],
    });
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    expect(String(run.polls('error-rate')[0]?.display)).toMatch(/no Datadog API key: set DD_API_KEY or apiKey:/);
  });

  it('HTTP 429 is waited out when X-RateLimit-Reset fits the timeout, and is an error when it does not', async () => {
    datadog.rateLimit(1, 1);
    const waited = await rollout('good', { checks: checks.replace('interval: 1s', 'interval: 1s\n    timeout: 5s'), run: ['error-rate'] });
    expect(waited.result.exitCode, describeResult(waited.result)).toBe(0);
    expect(waited.polls('error-rate')[0]).toMatchObject({ outcome: 'pass', value: 0.004 });
    datadog.rateLimit(10, 60);
    const limited = await rollout('good', { checks: checks.replace('failureThreshold: 2', 'maxConsecutiveErrors: 1'), run: ['error-rate'] });
    expect(limited.result.exitCode, describeResult(limited.result)).toBe(1);
    expect(String(limited.polls('error-rate')[0]?.display)).toMatch(/rate limited \(HTTP 429\); the limit resets in 60s, after this measurement's deadline/);
    datadog.rateLimit(0, 0);
  });

  it('a query Datadog cannot parse is "could not measure" with its message', async () => {
    const bad = checks.replace('p95:trace.http.request{', 'syntax_error{').replace('failureThreshold: 2\n', 'maxConsecutiveErrors: 1\n');
    const run = await rollout('good', { checks: bad, run: ['p95-latency'] });
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    expect(String(run.polls('p95-latency')[0]?.display)).toMatch(/Datadog answered HTTP 400: Error parsing query/);
  });

  it('site: picks the API host; keys from ${env.X} are shown as ***', async () => {
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: "true"
    health:
      - type: datadog
        site: datadoghq.eu
        query: p95:trace.http.request{service:web}
        apiKey: \${env.MY_DD_KEY}
        appKey: \${env.MY_DD_APP}
        pass: result < 0.3
`,
      'datadog-site.yml',
    );
    const result = await runCli(['plan', '--json', '-c', 'datadog-site.yml'], {
      cwd: dir,
      env: { MY_DD_KEY: 'secret-api-value-1', MY_DD_APP: 'secret-app-value-2' },
    });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout).toContain('"server": "https://api.datadoghq.eu"');
    expect(result.stdout).toContain('"apiKey": "***"');
    expect(result.stdout).not.toMatch(/secret-(api|app)-value/);
  });
});
