import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, STACK_TRACE } from '../helpers/cli.js';
import { checksYaml, docPlan } from '../helpers/doc-checks.js';
import { startInfluxdb, type TestInfluxdb } from '../helpers/influxdb.js';
import { runMetricRollout } from '../helpers/metric-rollout.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

/**
 * `type: influxdb` through the built CLI against a real InfluxDB 1.x from Debian, fed with the line
 * protocol over /write the way an app's client library does. Each test uses its own version tag.
 */
describe('influxdb checks against a real InfluxDB', { timeout: 90_000 }, () => {
  let influx: TestInfluxdb;
  let dir: string;

  beforeAll(async () => {
    influx = await startInfluxdb();
    await influx.createDatabase('app');
    dir = await makeTempDir();
  }, 60_000);
  afterAll(async () => {
    await influx?.close();
    await removeTempDir(dir);
  });

  /** One point per request, as an app's middleware writes them: status and duration, tagged with the version. */
  async function traffic(version: string, durations: number[], errorEvery: number): Promise<void> {
    const now = Date.now() * 1_000_000;
    const lines = durations.map(
      (ms, i) =>
        `http,version=${version},host=h${i % 2} status=${errorEvery > 0 && i % errorEvery === 0 ? 500 : 200}i,error=${errorEvery > 0 && i % errorEvery === 0 ? 1 : 0}i,duration_ms=${ms} ${now - i * 1_000_000}`,
    );
    await influx.write('app', lines);
  }

  const checks = `  error-rate:
    type: influxdb
    server: \${vars.influx}
    db: app
    query: SELECT sum("error") / count("error") FROM "http" WHERE "version" = '\${vars.version}' AND time > now() - 5m
    pass: result < 0.01
    interval: 1s
    failureThreshold: 2
  p95-latency:
    type: influxdb
    server: \${vars.influx}
    db: app
    query: SELECT percentile("duration_ms", 95) FROM "http" WHERE "version" = '\${vars.version}' AND time > now() - 5m
    pass: result < 300
    interval: 1s
    failureThreshold: 2`;
  const rollout = (version: string, options: { run?: string[]; extra?: string; checks?: string } = {}) =>
    runMetricRollout(dir, {
      vars: { version, influx: influx.url },
      checks: options.checks ?? checks,
      run: options.run ?? ['error-rate', 'p95-latency'],
      extra: options.extra ?? '',
    });
  const durations = (count: number, slowFrom: number, fast: number, slow: number) => Array.from({ length: count }, (_, i) => (i >= slowFrom ? slow : fast));

  it('passes a healthy canary on its error ratio and p95 latency', async () => {
    await traffic('good', durations(200, 195, 100, 250), 0);
    const run = await rollout('good');
    expect(run.result.exitCode, describeResult(run.result)).toBe(0);
    expect(run.polls('error-rate').length).toBeGreaterThan(0);
    for (const poll of run.polls('error-rate')) expect(poll).toMatchObject({ kind: 'influxdb', outcome: 'pass', value: 0 });
    for (const poll of run.polls('p95-latency')) expect(poll).toMatchObject({ outcome: 'pass', value: 100 });
  });

  it('the example in docs/checks.md passes a healthy canary, and rolls back a latency regression', async () => {
    const doc = docPlan('influxdb');
    const checks = checksYaml(doc.checks, { interval: '1s', failureThreshold: 2 });
    await traffic('docs-good', durations(200, 200, 120, 120), 0);
    const good = await runMetricRollout(dir, { vars: { ...doc.vars, version: 'docs-good', influxdb: influx.url }, checks, run: Object.keys(doc.checks) });
    expect(good.result.exitCode, describeResult(good.result)).toBe(0);
    expect(good.polls('p95-latency')[0]).toMatchObject({ outcome: 'pass', value: 120 });
    await traffic('docs-slow', durations(200, 150, 120, 800), 0);
    const slow = await runMetricRollout(dir, { vars: { ...doc.vars, version: 'docs-slow', influxdb: influx.url }, checks, run: Object.keys(doc.checks) });
    expect(slow.result.exitCode, describeResult(slow.result)).toBe(1);
    expect(slow.events.find((e) => e.type === 'stage.failed')).toMatchObject({ check: 'p95-latency', value: '800' });
  });

  it('rolls back a canary failing 5 % of its requests', async () => {
    await traffic('bad', durations(200, 200, 100, 100), 20);
    const run = await rollout('bad');
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    expect(run.events.find((e) => e.type === 'stage.failed')).toMatchObject({ check: 'error-rate', value: '0.05' });
    expect(await run.rolledBack()).toBe(true);
  });

  it('rolls back a latency regression (the slowest 10 % at 900 ms)', async () => {
    await traffic('slow', durations(200, 180, 100, 900), 0);
    const run = await rollout('slow');
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    expect(run.events.find((e) => e.type === 'stage.failed')).toMatchObject({ check: 'p95-latency', value: '900' });
  });

  it('several series (GROUP BY a tag) are a list ordered by tag; null values are no data, not zero', async () => {
    await traffic('grouped', durations(10, 10, 100, 100), 0);
    await influx.write('app', [`http,version=nulls note="only a string field" ${Date.now() * 1_000_000}`]);
    const grouped = `  by-host:
    type: influxdb
    server: \${vars.influx}
    db: app
    query: SELECT max("duration_ms") FROM "http" WHERE "version" = '\${vars.version}' AND time > now() - 5m GROUP BY "host"
    pass: result.all(x, x < 300)
    interval: 1s`;
    const run = await rollout('grouped', { checks: grouped, run: ['by-host'] });
    expect(run.result.exitCode, describeResult(run.result)).toBe(0);
    expect(run.polls('by-host')[0]).toMatchObject({ outcome: 'pass', value: [100, 100], display: '[100, 100]' });
    const nulls = await rollout('nulls', {
      checks: grouped.replace('by-host', 'nulls').replace('max("duration_ms")', '"duration_ms", "note"').replace(' GROUP BY "host"', ''),
      run: ['nulls'],
      extra: '\nonInconclusive: fail',
    });
    expect(nulls.result.exitCode, describeResult(nulls.result)).toBe(1);
    for (const poll of nulls.polls('nulls')) expect(poll).toMatchObject({ outcome: 'inconclusive', value: null, display: 'no data' });
  });

  it('a version with no points is no data: inconclusive, and onInconclusive: fail decides', async () => {
    const run = await rollout('never-written', { extra: '\nonInconclusive: fail' });
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    for (const poll of run.polls('error-rate')) expect(poll).toMatchObject({ outcome: 'inconclusive', display: 'no data' });
  });

  it('an InfluxQL error is "could not measure" with InfluxDB\'s message and the query, not a failed canary', async () => {
    const bad = `  typo:
    type: influxdb
    server: \${vars.influx}
    db: app
    query: SELECT nosuch("duration_ms") FROM "http" WHERE "version" = '\${vars.version}'
    pass: result < 1
    interval: 1s
    maxConsecutiveErrors: 2`;
    const run = await rollout('good', { checks: bad, run: ['typo'] });
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    expect(String(run.polls('typo')[0]?.display)).toMatch(/InfluxDB answered HTTP 200: undefined function nosuch\(\) \(query: SELECT nosuch/);
    expect(String(run.events.find((e) => e.type === 'stage.failed')?.reason)).toMatch(/could not measure influxdb check typo/);
    expect(run.result.stderr).not.toMatch(STACK_TRACE);
  });

  it('a var holding a quote stays inside its InfluxQL string: it matches nothing instead of widening the WHERE', async () => {
    await traffic('quote', durations(10, 10, 100, 100), 0);
    const run = await rollout("quote' OR '1'='1", { run: ['error-rate'], extra: '\nonInconclusive: fail' });
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    for (const poll of run.polls('error-rate')) expect(poll).toMatchObject({ outcome: 'inconclusive', display: 'no data' });
  });
});
