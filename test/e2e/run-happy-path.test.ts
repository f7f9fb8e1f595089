import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { defaultStatePath, lockPath, readState, stageOf } from '../helpers/state.js';
import { exists, readLines, writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

describe('rollout run: every stage healthy', { timeout: 30_000 }, () => {
  const ws = useWorkspace();

  it('deploys every stage in order, soaks each, records success and exits 0', async () => {
    const planFile = await writePlan(
      ws.dir,
      `name: checkout-api
defaults:
  soak: 1s
  health:
    interval: 50ms
    timeout: 1s
    failureThreshold: 2
stages:
  - name: canary
    deploy: echo canary >> deploy.log && echo hello from canary
    rollback: echo canary >> rollback.log
    health:
      - url: ${ws.server.url('/canary')}
  - name: half
    deploy: echo half >> deploy.log && echo to-stderr from half >&2
    rollback: echo half >> rollback.log
    soak: 200ms
    health:
      - url: ${ws.server.url('/half')}
  - name: full
    deploy: echo full >> deploy.log
    soak: 0
`,
    );

    const result = await runCli(['run'], { cwd: ws.dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary', 'half', 'full']);
    expect(await exists(path.join(ws.dir, 'rollback.log'))).toBe(false);

    const state = await readState(defaultStatePath(ws.dir));
    expect(state.version).toBe(2);
    expect(state.status).toBe('succeeded');
    expect(state.runId).toEqual(expect.any(String));
    expect(state.runId.length).toBeGreaterThan(0);
    expect(state.plan.name).toBe('checkout-api');
    expect(await fs.realpath(state.plan.path)).toBe(planFile);
    expect(state.plan.sha256).toBe(
      createHash('sha256')
        .update(await fs.readFile(planFile))
        .digest('hex'),
    );
    expect(Number.isNaN(Date.parse(state.startedAt))).toBe(false);
    expect(state.finishedAt).not.toBeNull();
    expect(state.failure).toBeNull();
    expect(state.stages.map((s) => [s.name, s.status])).toEqual([
      ['canary', 'succeeded'],
      ['half', 'succeeded'],
      ['full', 'succeeded'],
    ]);
    for (const stage of state.stages) {
      expect(stage.deploy.exitCode, stage.name).toBe(0);
      expect(stage.rollback.exitCode, stage.name).toBeNull();
    }

    const canary = stageOf(state, 'canary');
    expect(canary.checkResults.polls).toBeGreaterThanOrEqual(2);
    expect(canary.checkResults.failures).toBe(0);
    expect(canary.checkResults.polls).toBe(ws.server.requestCount('/canary'));
    expect(stageOf(state, 'half').checkResults.polls).toBe(ws.server.requestCount('/half'));
    expect(stageOf(state, 'half').checkResults.polls).toBeGreaterThanOrEqual(1);

    // The lock is released when the run ends.
    expect(await exists(lockPath(defaultStatePath(ws.dir)))).toBe(false);
  });

  it('streams deploy output on stderr prefixed with the stage name and prints a summary on stdout', async () => {
    await writePlan(
      ws.dir,
      `stages:
  - name: canary
    deploy: echo hello from canary && echo to-stderr from canary >&2
    soak: 0
  - name: everyone
    deploy: echo hello from everyone
    soak: 0
`,
    );

    const result = await runCli(['run'], { cwd: ws.dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stderr).toMatch(/canary\s*\|\s*hello from canary/);
    expect(result.stderr).toMatch(/canary\s*\|\s*to-stderr from canary/);
    expect(result.stderr).toMatch(/everyone\s*\|\s*hello from everyone/);
    // Command output is progress, not the result: it stays off stdout.
    expect(result.stdout).not.toContain('hello from');
    expect(result.stdout).toMatch(/canary/);
    expect(result.stdout).toMatch(/everyone/);
    expect(result.all).not.toMatch(STACK_TRACE);
  });

  it('passes a stage with soak 0 once each check has answered healthy once', async () => {
    await writePlan(
      ws.dir,
      `stages:
  - name: only
    deploy: echo only >> deploy.log
    soak: 0
    health:
      - url: ${ws.server.url('/a')}
        interval: 50ms
      - url: ${ws.server.url('/b')}
        interval: 50ms
`,
    );

    const result = await runCli(['run'], { cwd: ws.dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(ws.server.requestCount('/a')).toBeGreaterThanOrEqual(1);
    expect(ws.server.requestCount('/b')).toBeGreaterThanOrEqual(1);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('succeeded');
    expect(stageOf(state, 'only').checkResults.polls).toBeGreaterThanOrEqual(2);
  });

  it('accepts a non-200 2xx by default and an explicit expectStatus list', async () => {
    ws.server.setStatus(204);
    await writePlan(
      ws.dir,
      `defaults:
  soak: 150ms
  health:
    interval: 50ms
stages:
  - name: any-2xx
    deploy: "true"
    health:
      - url: ${ws.server.url('/any')}
  - name: listed
    deploy: "true"
    health:
      - url: ${ws.server.url('/listed')}
        expectStatus: [200, 204]
`,
    );

    const result = await runCli(['run'], { cwd: ws.dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect((await readState(defaultStatePath(ws.dir))).status).toBe('succeeded');
  });
});
