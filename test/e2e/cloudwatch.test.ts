import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { type FakeCloudwatch, metricKey, startFakeCloudwatch } from '../helpers/cloudwatch-api.js';
import { checksYaml, docPlan } from '../helpers/doc-checks.js';
import { runMetricRollout } from '../helpers/metric-rollout.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * `type: cloudwatch` through the built CLI against a local server implementing CloudWatch's
 * documented GetMetricData (test/helpers/cloudwatch-api.ts), which checks each request's SigV4
 * signature with its own computation: AWS cannot be reached from here, so these test the documented
 * API — signing, pagination by NextToken with PartialData, empty data, bad credentials, throttling.
 */
describe('cloudwatch checks against the documented GetMetricData API', { timeout: 60_000 }, () => {
  let cloudwatch: FakeCloudwatch;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    cloudwatch = await startFakeCloudwatch();
    dir = await makeTempDir();
    env = { AWS_ACCESS_KEY_ID: cloudwatch.accessKeyId, AWS_SECRET_ACCESS_KEY: cloudwatch.secretAccessKey };
  });
  afterAll(async () => {
    await cloudwatch?.close();
    await removeTempDir(dir);
  });

  const lb = (version: string) => ({ LoadBalancer: 'app/web/50dc6c495c0c9188', TargetGroup: `targetgroup/web-${version}/73e2d6bc24d8a067` });
  /** One point a minute for the last `count` minutes, newest last. */
  function feed(version: string, metric: string, stat: string, values: number[]): void {
    const now = Math.floor(Date.now() / 1000);
    cloudwatch.metrics.set(
      metricKey('AWS/ApplicationELB', metric, lb(version), stat),
      values.map((value, i) => [now - (values.length - i) * 60 + 30, value]),
    );
  }
  const dims = `
            Dimensions:
              - { Name: LoadBalancer, Value: app/web/50dc6c495c0c9188 }
              - { Name: TargetGroup, Value: "targetgroup/web-\${vars.version}/73e2d6bc24d8a067" }`;
  const checks = `  error-rate:
    type: cloudwatch
    region: eu-west-1
    server: \${vars.cloudwatch}
    window: 10m
    MetricDataQueries:
      - Id: errors
        ReturnData: false
        MetricStat:
          Stat: Sum
          Metric:
            Namespace: AWS/ApplicationELB
            MetricName: HTTPCode_Target_5XX_Count${dims}
      - Id: requests
        ReturnData: false
        MetricStat:
          Stat: Sum
          Metric:
            Namespace: AWS/ApplicationELB
            MetricName: RequestCount${dims}
      - Id: ratio
        Expression: errors / requests
    pass: result < 0.01
    interval: 1s
    failureThreshold: 2
  p95-latency:
    type: cloudwatch
    region: eu-west-1
    server: \${vars.cloudwatch}
    period: 1m
    MetricDataQueries:
      - Id: p95
        MetricStat:
          Stat: p95
          Metric:
            Namespace: AWS/ApplicationELB
            MetricName: TargetResponseTime${dims}
    pass: result < 0.3
    interval: 1s
    failureThreshold: 2`;
  const rollout = (version: string, options: { run?: string[]; extra?: string; checks?: string; env?: Record<string, string> } = {}) =>
    runMetricRollout(dir, {
      vars: { version, cloudwatch: cloudwatch.url },
      checks: options.checks ?? checks,
      run: options.run ?? ['error-rate', 'p95-latency'],
      extra: options.extra ?? '',
      env: options.env ?? env,
    });
  const traffic = (version: string, errors: number[], requests: number[], p95: number[]) => {
    feed(version, 'HTTPCode_Target_5XX_Count', 'Sum', errors);
    feed(version, 'RequestCount', 'Sum', requests);
    feed(version, 'TargetResponseTime', 'p95', p95);
  };

  it('passes a healthy canary: signed GetMetricData, metric math for the ratio, Stat p95, Period 60 over the window', async () => {
    traffic('good', [9, 1], [1000, 1000], [0.4, 0.12]);
    const before = cloudwatch.requests.length;
    const run = await rollout('good');
    expect(run.result.exitCode, describeResult(run.result)).toBe(0);
    for (const poll of run.polls('error-rate')) expect(poll).toMatchObject({ kind: 'cloudwatch', outcome: 'pass', value: 0.001 });
    for (const poll of run.polls('p95-latency')) expect(poll).toMatchObject({ outcome: 'pass', value: 0.12 });
    const asked = cloudwatch.requests.slice(before).find((r) => (r.body.MetricDataQueries as { Id: string }[]).some((q) => q.Id === 'ratio'));
    expect(asked?.headers['x-amz-target']).toBe('GraniteServiceVersion20100801.GetMetricData');
    expect(Number(asked?.body.EndTime) - Number(asked?.body.StartTime)).toBe(600);
    expect((asked?.body.MetricDataQueries as { MetricStat?: { Period: number } }[] | undefined)?.[0]?.MetricStat?.Period).toBe(60);
  });

  it('the example in docs/checks.md (with server: pointing here) passes a healthy canary', async () => {
    const doc = docPlan('cloudwatch');
    traffic('docs', [2], [1000], [0.15]);
    const run = await runMetricRollout(dir, {
      vars: { ...doc.vars, version: 'docs' },
      checks: checksYaml(doc.checks, { interval: '1s', server: cloudwatch.url }),
      run: Object.keys(doc.checks),
      env,
    });
    expect(run.result.exitCode, describeResult(run.result)).toBe(0);
    expect(run.polls('error-rate')[0]).toMatchObject({ outcome: 'pass', value: 0.002 });
    expect(run.polls('p95-latency')[0]).toMatchObject({ outcome: 'pass', value: 0.15 });
  });

  it('rolls back a canary whose 5xx ratio is 5 %', async () => {
    traffic('bad', [50], [1000], [0.1]);
    const run = await rollout('bad');
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    expect(run.events.find((e) => e.type === 'stage.failed')).toMatchObject({ check: 'error-rate', value: '0.05' });
    expect(await run.rolledBack()).toBe(true);
  });

  it('follows NextToken through PartialData pages and judges the latest point', async () => {
    traffic('paged', [0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [0.1, 0.1, 0.1, 0.1, 0.9]);
    cloudwatch.pageSize = 2;
    try {
      const before = cloudwatch.requests.length;
      const run = await rollout('paged', { run: ['p95-latency'] });
      expect(run.result.exitCode, describeResult(run.result)).toBe(1);
      expect(run.polls('p95-latency')[0]).toMatchObject({ outcome: 'fail', value: 0.9 });
      const tokens = cloudwatch.requests.slice(before, before + 3).map((r) => r.body.NextToken ?? null);
      expect(tokens[0]).toBeNull();
      expect(tokens[1]).toEqual(expect.any(String));
      expect(tokens[2]).toEqual(expect.any(String));
    } finally {
      cloudwatch.pageSize = 100;
    }
  });

  it('no datapoints in the window is no data: inconclusive', async () => {
    const run = await rollout('quiet', { extra: '\nonInconclusive: fail' });
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    for (const check of ['error-rate', 'p95-latency'])
      for (const poll of run.polls(check)) expect(poll).toMatchObject({ outcome: 'inconclusive', display: 'no data' });
  });

  it('a wrong secret key is "could not measure" (InvalidSignatureException) and the key is never shown', async () => {
    const wrong = 'wrong/secret+key/99999999999999999999';
    const run = await rollout('good', {
      env: { AWS_ACCESS_KEY_ID: cloudwatch.accessKeyId, AWS_SECRET_ACCESS_KEY: wrong },
      checks: checks.replaceAll('failureThreshold: 2', 'maxConsecutiveErrors: 1'),
      run: ['p95-latency'],
    });
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    expect(String(run.polls('p95-latency')[0]?.display)).toMatch(
      /CloudWatch refused the credentials \(HTTP 403 InvalidSignatureException: The request signature/,
    );
    expect(String(run.events.find((e) => e.type === 'stage.failed')?.reason)).toMatch(/could not measure cloudwatch check p95-latency/);
    expect(run.result.stdout + run.result.stderr).not.toContain(wrong);
    expect(run.result.stderr).not.toMatch(STACK_TRACE);
  });

  it('no credentials at all names the variables to set; throttling is retried once, then an error, not a failure', async () => {
    const none = await rollout('good', {
      env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
      checks: checks.replaceAll('failureThreshold: 2', 'maxConsecutiveErrors: 1'),
      run: ['p95-latency'],
    });
    expect(String(none.polls('p95-latency')[0]?.display)).toMatch(/no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    traffic('good', [9, 1], [1000, 1000], [0.4, 0.12]);
    cloudwatch.throttle(1);
    const retried = await rollout('good', { checks: checks.replaceAll('failureThreshold: 2', 'maxConsecutiveErrors: 1'), run: ['p95-latency'] });
    expect(retried.result.exitCode, describeResult(retried.result)).toBe(0);
    expect(retried.polls('p95-latency')[0]).toMatchObject({ outcome: 'pass', value: 0.12 });
    cloudwatch.throttle(100);
    try {
      const run = await rollout('good', { checks: checks.replaceAll('failureThreshold: 2', 'maxConsecutiveErrors: 2'), run: ['p95-latency'] });
      expect(run.result.exitCode, describeResult(run.result)).toBe(1);
      for (const poll of run.polls('p95-latency'))
        expect(poll).toMatchObject({ outcome: 'error', display: expect.stringMatching(/CloudWatch is throttling \(HTTP 400 Throttling: Rate exceeded\)/) });
    } finally {
      cloudwatch.throttle(0);
    }
  });

  it('rollout plan --json shows the region, the AWS endpoint and the queries, never a key', async () => {
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: "true"
    health:
      - type: cloudwatch
        region: eu-west-1
        secretAccessKey: \${env.MY_AWS_SECRET}
        MetricDataQueries:
          - Id: p95
            MetricStat: { Stat: p95, Metric: { Namespace: AWS/ApplicationELB, MetricName: TargetResponseTime } }
        pass: result < 0.3
`,
      'cloudwatch-plan.yml',
    );
    const result = await runCli(['plan', '--json', '-c', 'cloudwatch-plan.yml'], { cwd: dir, env: { MY_AWS_SECRET: 'plan-secret-value-1234' } });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout).toContain('"server": "https://monitoring.eu-west-1.amazonaws.com"');
    expect(result.stdout).toContain('"Stat": "p95"');
    expect(result.stdout).not.toContain('plan-secret-value-1234');
  });
});
