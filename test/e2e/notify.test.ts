import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { makeTempDir, removeTempDir, writePlan, yamlString } from '../helpers/temp-dir.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

describe('notify: webhooks', { timeout: 60_000 }, () => {
  let dir: string;
  let server: HealthServer;
  let hook: WebhookReceiver;
  beforeEach(async () => {
    dir = await makeTempDir();
    server = await startHealthServer(200);
    hook = await startWebhookReceiver('ok');
  });
  afterEach(async () => {
    await hook.close();
    await server.close();
    await removeTempDir(dir);
  });

  const plan = (notify: string) => `name: shop
defaults: { soak: 200ms, health: { interval: 50ms, timeout: 1s, failureThreshold: 2 } }
stages:
  - name: canary
    deploy: "true"
    rollback: "true"
    health: [{ name: canary-hz, url: "${server.url('/canary')}" }]
  - name: full
    deploy: ${yamlString(server.setStatusCommand(503))}
    rollback: "true"
    health: [{ name: full-hz, url: "${server.url('/full')}" }]
notify:
${notify}`;

  it('POSTs each event of interest, in order, with a human text naming the stage and the failing value', async () => {
    await writePlan(dir, plan(`  - url: ${hook.url()}\n    headers: { X-Token: "\${env.HOOK_TOKEN}" }\n`));
    const result = await runCli(['run'], { cwd: dir, env: { HOOK_TOKEN: 's3cret' } });
    expect(result.exitCode, describeResult(result)).toBe(1);
    const state = await readState(defaultStatePath(dir));

    expect(hook.received.map((r) => r.body.event)).toEqual(['run.started', 'stage.passed', 'stage.failed', 'rollback.finished', 'run.finished']);
    for (const r of hook.received) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-token']).toBe('s3cret');
      expect(r.body).toMatchObject({ runId: state.runId, plan: 'shop', text: expect.any(String) });
    }
    const [, passed, failed, rolledBack, finished] = hook.received.map((r) => r.body);
    expect(passed).toMatchObject({ stage: 'canary', text: expect.stringContaining('stage canary passed') });
    expect(failed).toMatchObject({
      stage: 'full',
      reason: 'http check full-hz failed 2 times in a row: HTTP 503 (expected 2xx): unhealthy',
      check: { name: 'full-hz', status: 503, error: 'HTTP 503 (expected 2xx): unhealthy' },
    });
    expect(failed?.text).toMatch(/stage full failed: .*full-hz.*HTTP 503/);
    expect(rolledBack).toMatchObject({ status: 'rolled_back' });
    expect(finished).toMatchObject({ status: 'rolled_back', stage: 'full', text: expect.stringContaining('at stage full') });
    expect(result.stderr).not.toContain('warning');
  });

  it('sends only the events a webhook asks for', async () => {
    await writePlan(dir, plan(`  - url: ${hook.url()}\n    events: [stage.failed]\n`));
    const result = await runCli(['run'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(hook.received.map((r) => r.body.event)).toEqual(['stage.failed']);
  });

  it('a failing webhook is retried a bounded number of times, becomes a warning, and changes nothing about the rollout', async () => {
    hook.setMode('fail');
    await writePlan(dir, plan(`  - url: ${hook.url()}\n    events: [run.started]\n`));
    const result = await runCli(['run'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(hook.attempts).toBe(3);
    expect(result.stderr).toMatch(/warning: notify: could not deliver run.started to http:\/\/127\.0\.0\.1:\d+: HTTP 500/);
    const state = await readState(defaultStatePath(dir));
    expect(state.status).toBe('rolled_back');
    expect(state.stages.map((s) => s.status)).toEqual(['rolled_back', 'rolled_back']);
  });

  it('a webhook that never answers times out per attempt; the run still finishes with its own outcome', async () => {
    hook.setMode('hang');
    await writePlan(
      dir,
      plan(`  - url: ${hook.url()}\n    events: [run.finished]\n    timeout: 200ms\n`).replace(
        `deploy: ${yamlString(server.setStatusCommand(503))}`,
        'deploy: "true"',
      ),
    );
    const result = await runCli(['run', '--json'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(hook.attempts).toBe(3);
    expect(result.stderr).toMatch(/warning: notify: could not deliver run.finished to .*: no answer within 200ms/);
    const last = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(last).toMatchObject({ type: 'run.finished', status: 'succeeded' });
  });

  it('a manual `rollout rollback` is an end of the run like any other: webhooks hear it', async () => {
    await writePlan(
      dir,
      `name: shop
defaults: { soak: 0s }
stages:
  - name: canary
    deploy: "true"
    rollback: "true"
  - name: full
    deploy: "true"
    rollback: "true"
notify:
  - url: ${hook.url()}
    events: [rollback.finished, run.finished]
`,
    );
    const ran = await runCli(['run'], { cwd: dir });
    expect(ran.exitCode, describeResult(ran)).toBe(0);
    expect(hook.received.map((r) => r.body.event)).toEqual(['run.finished']);

    const undone = await runCli(['rollback'], { cwd: dir });
    expect(undone.exitCode, describeResult(undone)).toBe(0);
    const state = await readState(defaultStatePath(dir));
    expect(state.status).toBe('rolled_back');
    expect(hook.received.map((r) => r.body)).toMatchObject([
      { event: 'run.finished', status: 'succeeded' },
      { event: 'rollback.finished', status: 'rolled_back', runId: state.runId },
      { event: 'run.finished', status: 'rolled_back', runId: state.runId },
    ]);
  });

  it('a notify entry with an unset ${env.X} is a plan error, before anything runs', async () => {
    await writePlan(dir, plan('  - url: ${env.ROLLOUT_TEST_UNSET_HOOK}\n'));
    const result = await runCli(['run'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/notify\.0\.url: \$\{env\.ROLLOUT_TEST_UNSET_HOOK\}: environment variable ROLLOUT_TEST_UNSET_HOOK is not set/);
    expect(server.requestCount()).toBe(0);
  });
});
