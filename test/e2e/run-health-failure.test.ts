import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { unusedUrl } from '../helpers/health-server.js';
import { defaultStatePath, readState, stageOf } from '../helpers/state.js';
import { readLines, writePlan, yamlString } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

describe('rollout run: a health check fails during the soak', { timeout: 30_000 }, () => {
  const ws = useWorkspace();

  it('fails the stage at once, rolls back newest first and never deploys later stages', async () => {
    // Stage "half" breaks the service in its own deploy; its 30 s soak must not be waited out.
    await writePlan(
      ws.dir,
      `name: checkout-api
defaults:
  health:
    interval: 100ms
    timeout: 1s
    failureThreshold: 2
stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollback: echo canary >> rollback.log
    soak: 200ms
    health:
      - url: ${ws.server.url('/healthz')}
  - name: half
    deploy: ${yamlString(`echo half >> deploy.log && ${ws.server.setStatusCommand(503)}`)}
    rollback: echo half >> rollback.log
    soak: 30s
    health:
      - url: ${ws.server.url('/healthz')}
  - name: full
    deploy: echo full >> deploy.log
    rollback: echo full >> rollback.log
`,
    );

    const result = await runCli(['run'], { cwd: ws.dir, timeout: 15_000 });

    expect(result.timedOut, 'the run waited out the 30 s soak instead of failing fast').toBe(false);
    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary', 'half']);
    expect(await readLines(path.join(ws.dir, 'rollback.log'))).toEqual(['half', 'canary']);

    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('rolled_back');
    expect(state.finishedAt).not.toBeNull();
    expect(state.failure?.stage).toBe('half');
    expect(state.failure?.reason).toMatch(/503/);
    expect(state.stages.map((s) => [s.name, s.status])).toEqual([
      ['canary', 'rolled_back'],
      ['half', 'rolled_back'],
      ['full', 'skipped'],
    ]);
    const half = stageOf(state, 'half');
    expect(half.checkResults.failures).toBeGreaterThanOrEqual(2);
    // 30 s at 100 ms would be ~300 polls; failing after two bad answers means a handful.
    expect(half.checkResults.polls).toBeLessThan(20);
    expect(half.checkResults.lastError).toMatch(/503/);
    expect(half.rollback.exitCode).toBe(0);
    expect(stageOf(state, 'canary').rollback.exitCode).toBe(0);
    expect(stageOf(state, 'full').deploy.exitCode).toBeNull();

    expect(result.stderr).toMatch(/half/);
    expect(result.all).toMatch(/fail/i);
    expect(result.all).toMatch(/roll(ed)?[ _-]?back/i);
    expect(result.all).not.toMatch(STACK_TRACE);
  });

  it('needs failureThreshold consecutive failures: isolated failures do not fail the stage', async () => {
    // The check alternates 503 and 200, so it never fails 3 times in a row.
    ws.server.cycleStatuses([503, 200]);
    await writePlan(
      ws.dir,
      `stages:
  - name: flaky
    deploy: echo flaky >> deploy.log
    soak: 800ms
    health:
      - url: ${ws.server.url('/healthz')}
        interval: 100ms
        failureThreshold: 3
`,
    );

    const result = await runCli(['run'], { cwd: ws.dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('succeeded');
    expect(stageOf(state, 'flaky').checkResults.failures).toBeGreaterThanOrEqual(1);
  });

  it('never passes a stage on a check that never answered healthy, even below the threshold', async () => {
    ws.server.setStatus(503);
    await writePlan(
      ws.dir,
      `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    soak: 150ms
    health:
      - url: ${ws.server.url('/healthz')}
        interval: 50ms
        failureThreshold: 8
  - name: full
    deploy: echo full >> deploy.log
`,
    );

    const result = await runCli(['run'], { cwd: ws.dir });

    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary']);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.failure?.stage).toBe('canary');
    expect(stageOf(state, 'canary').status).toBe('failed');
    expect(stageOf(state, 'full').status).toBe('skipped');
  });

  it('fails a soak-0 stage whose check keeps failing', async () => {
    ws.server.setStatus(500);
    await writePlan(
      ws.dir,
      `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    soak: 0
    health:
      - url: ${ws.server.url('/healthz')}
        interval: 50ms
        failureThreshold: 2
`,
    );

    const result = await runCli(['run'], { cwd: ws.dir, timeout: 15_000 });

    expect(result.exitCode, describeResult(result)).toBe(1);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.failure?.stage).toBe('canary');
    expect(state.failure?.reason).toMatch(/500/);
  });

  it('fails on an unexpected status listed nowhere in expectStatus', async () => {
    ws.server.setStatus(200);
    await writePlan(
      ws.dir,
      `stages:
  - name: canary
    deploy: "true"
    soak: 2s
    health:
      - url: ${ws.server.url('/healthz')}
        expectStatus: [204]
        interval: 50ms
        failureThreshold: 2
`,
    );

    const result = await runCli(['run'], { cwd: ws.dir, timeout: 15_000 });

    expect(result.exitCode, describeResult(result)).toBe(1);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.failure?.stage).toBe('canary');
    expect(state.failure?.reason).toMatch(/200/);
  });

  it('counts a refused connection as a failed poll', async () => {
    await writePlan(
      ws.dir,
      `stages:
  - name: canary
    deploy: "true"
    soak: 5s
    health:
      - url: ${await unusedUrl()}
        interval: 50ms
        failureThreshold: 2
`,
    );

    const result = await runCli(['run'], { cwd: ws.dir, timeout: 15_000 });

    expect(result.exitCode, describeResult(result)).toBe(1);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.failure?.stage).toBe('canary');
    expect(stageOf(state, 'canary').checkResults.lastError).toEqual(expect.any(String));
    expect(result.all).not.toMatch(STACK_TRACE);
  });

  it('counts a poll with no answer within the check timeout as failed', async () => {
    ws.server.setStatus(0); // accept, never answer
    await writePlan(
      ws.dir,
      `stages:
  - name: canary
    deploy: "true"
    soak: 10s
    health:
      - url: ${ws.server.url('/healthz')}
        interval: 100ms
        timeout: 150ms
        failureThreshold: 2
`,
    );

    const result = await runCli(['run'], { cwd: ws.dir, timeout: 15_000 });

    expect(result.timedOut).toBe(false);
    expect(result.exitCode, describeResult(result)).toBe(1);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.failure?.stage).toBe('canary');
    expect(state.failure?.reason).toMatch(/time/i);
  });

  it('skips the rollback of a stage that has none and keeps its status', async () => {
    await writePlan(
      ws.dir,
      `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    soak: 0
  - name: half
    deploy: echo half >> deploy.log
    rollback: echo half >> rollback.log
    soak: 0
  - name: broken
    deploy: exit 1
`,
    );

    const result = await runCli(['run'], { cwd: ws.dir });

    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(await readLines(path.join(ws.dir, 'rollback.log'))).toEqual(['half']);
    const state = await readState(defaultStatePath(ws.dir));
    const canary = stageOf(state, 'canary');
    expect(canary.status).toBe('succeeded');
    expect(canary.rollback.skipped).toEqual(expect.any(String));
    expect(canary.rollback.exitCode).toBeNull();
    expect(stageOf(state, 'half').status).toBe('rolled_back');
    expect(stageOf(state, 'broken').status).toBe('failed');
  });
});
