import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { checksYaml, docPlan } from '../helpers/doc-checks.js';
import { startGraphite, type TestGraphite } from '../helpers/graphite.js';
import { runMetricRollout } from '../helpers/metric-rollout.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * `type: graphite` through the built CLI against a real Graphite (carbon-cache + graphite-web from
 * Debian), fed over carbon's plaintext protocol the way an app's collector does. Each test uses its
 * own version in the metric path, so tests never see each other's points.
 */
describe('graphite checks against a real Graphite', { timeout: 90_000 }, () => {
  let graphite: TestGraphite;
  let dir: string;

  beforeAll(async () => {
    graphite = await startGraphite();
    dir = await makeTempDir();
  }, 90_000);
  afterAll(async () => {
    await graphite?.close();
    await removeTempDir(dir);
  });

  /** What an app's statsd sends: per-host request and 5xx counts, and the p95 of its timer. */
  async function traffic(version: string, { requests, errors, p95 }: { requests: number; errors: number; p95: number }): Promise<void> {
    await graphite.send([
      { name: `web.${version}.host1.requests`, value: requests / 2 },
      { name: `web.${version}.host2.requests`, value: requests / 2 },
      { name: `web.${version}.host1.errors`, value: errors },
      { name: `web.${version}.host2.errors`, value: 0 },
      { name: `stats.timers.web.${version}.latency.upper_95`, value: p95 },
    ]);
    await graphite.waitFor(`stats.timers.web.${version}.latency.upper_95`, (value) => value === p95);
    await graphite.waitFor(`sumSeries(web.${version}.*.errors)`, (value) => value === errors);
  }

  const checks = `  error-rate:
    type: graphite
    server: \${vars.graphite}
    target: divideSeries(sumSeries(web.\${vars.version}.*.errors), sumSeries(web.\${vars.version}.*.requests))
    window: 1m
    pass: result < 0.01
    interval: 1s
    failureThreshold: 2
  p95-latency:
    type: graphite
    server: \${vars.graphite}
    target: maxSeries(stats.timers.web.\${vars.version}.latency.upper_95)
    window: 1m
    pass: result < 0.3
    interval: 1s
    failureThreshold: 2`;
  const rollout = (version: string, options: { run?: string[]; extra?: string; checks?: string } = {}) =>
    runMetricRollout(dir, {
      vars: { version, graphite: graphite.url },
      checks: options.checks ?? checks,
      run: options.run ?? ['error-rate', 'p95-latency'],
      extra: options.extra ?? '',
    });

  it('passes a healthy canary on its error ratio and p95 latency', async () => {
    await traffic('good', { requests: 1000, errors: 2, p95: 0.12 });
    const run = await rollout('good');
    expect(run.result.exitCode, describeResult(run.result)).toBe(0);
    for (const poll of run.polls('error-rate')) expect(poll).toMatchObject({ kind: 'graphite', outcome: 'pass', value: 0.002 });
    for (const poll of run.polls('p95-latency')) expect(poll).toMatchObject({ outcome: 'pass', value: 0.12 });
    expect(run.polls('error-rate').length).toBeGreaterThan(0);
    expect(await run.rolledBack()).toBe(false);
  });

  it('the example in docs/checks.md passes a healthy canary, and rolls back one failing 5 %', async () => {
    const doc = docPlan('graphite');
    const checks = checksYaml(doc.checks, { interval: '1s', failureThreshold: 2 });
    await traffic('docs-good', { requests: 1000, errors: 1, p95: 0.1 });
    const good = await runMetricRollout(dir, { vars: { ...doc.vars, version: 'docs-good', graphite: graphite.url }, checks, run: Object.keys(doc.checks) });
    expect(good.result.exitCode, describeResult(good.result)).toBe(0);
    expect(good.polls('error-rate')[0]).toMatchObject({ outcome: 'pass', value: 0.001 });
    await traffic('docs-bad', { requests: 1000, errors: 50, p95: 0.1 });
    const bad = await runMetricRollout(dir, { vars: { ...doc.vars, version: 'docs-bad', graphite: graphite.url }, checks, run: Object.keys(doc.checks) });
    expect(bad.result.exitCode, describeResult(bad.result)).toBe(1);
    expect(bad.events.find((e) => e.type === 'stage.failed')).toMatchObject({ check: 'error-rate', value: '0.05' });
  });

  it('rolls back a canary failing 5 % of its requests, naming the check and value', async () => {
    await traffic('bad', { requests: 1000, errors: 50, p95: 0.12 });
    const run = await rollout('bad');
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    expect(run.events.find((e) => e.type === 'stage.failed')).toMatchObject({ check: 'error-rate', value: '0.05' });
    expect(await run.rolledBack()).toBe(true);
  });

  it('rolls back a latency regression', async () => {
    await traffic('slow', { requests: 1000, errors: 0, p95: 0.9 });
    const run = await rollout('slow');
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    expect(run.events.find((e) => e.type === 'stage.failed')).toMatchObject({ check: 'p95-latency', value: '0.9' });
  });

  it('a version that sent nothing is no data (nulls are not zero): inconclusive, and onInconclusive: fail decides', async () => {
    const run = await rollout('never-sent', { extra: '\nonInconclusive: fail' });
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    const polls = run.polls('error-rate');
    expect(polls.length).toBeGreaterThan(0);
    for (const poll of polls) expect(poll).toMatchObject({ outcome: 'inconclusive', value: null, display: 'no data' });
    expect(await run.rolledBack()).toBe(true);
  });

  it('a target Graphite rejects is "could not measure" with Graphite\'s message, not a failed canary', async () => {
    const bad = `  typo:
    type: graphite
    server: \${vars.graphite}
    target: sumSeriez(web.\${vars.version}.*.errors)
    pass: result < 0.01
    interval: 1s
    maxConsecutiveErrors: 2`;
    const run = await rollout('good', { checks: bad, run: ['typo'] });
    expect(run.result.exitCode, describeResult(run.result)).toBe(1);
    const polls = run.polls('typo');
    expect(polls[0]).toMatchObject({ outcome: 'error' });
    expect(String(polls[0]?.display)).toMatch(/Graphite answered HTTP 400: .*unknown function: sumSeriez.*\(target: sumSeriez\(web\.good\.\*\.errors\)\)/);
    expect(String(run.events.find((e) => e.type === 'stage.failed')?.reason)).toMatch(/could not measure graphite check typo/);
    expect(run.result.stderr).not.toMatch(STACK_TRACE);
  });

  it('refuses a var that would add Graphite functions or wildcards to a path (exit 2, naming the key)', async () => {
    const run = await runMetricRollout(dir, {
      vars: { version: 'x.*),sumSeries(other', graphite: graphite.url },
      checks,
      run: ['error-rate'],
    });
    expect(run.result.exitCode, describeResult(run.result)).toBe(2);
    expect(run.result.stderr).toMatch(/checks\.error-rate\.target: \$\{vars\.version\} is used outside a quoted string/);
  });

  it('rollout plan --json shows the target and server, never a header value', async () => {
    const result = await runCli(['plan', '--json', '-c', 'graphite-plan.yml'], { cwd: await writeHeaderPlan() });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout).toContain('"target": "maxSeries(stats.timers.web.v2.latency.upper_95)"');
    expect(result.stdout).toContain('"Authorization": "***"');
    expect(result.stdout).not.toContain('s3cret-graphite');
  });

  async function writeHeaderPlan(): Promise<string> {
    await writePlan(
      dir,
      `vars: { version: v2 }
stages:
  - name: canary
    deploy: "true"
    health:
      - type: graphite
        server: ${graphite.url}
        target: maxSeries(stats.timers.web.\${vars.version}.latency.upper_95)
        headers: { Authorization: "Bearer s3cret-graphite" }
        pass: result < 0.3
`,
      'graphite-plan.yml',
    );
    return dir;
  }
});
