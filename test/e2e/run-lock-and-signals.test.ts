import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE, startCli, toCliResult } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { heldDeploy, killQuietly, release, waitFor } from '../helpers/processes.js';
import { defaultStatePath, lockPath, readState, waitForState } from '../helpers/state.js';
import { exists, makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

describe('one run per state file, and interrupted runs', { timeout: 40_000 }, () => {
  let dir: string;
  let server: HealthServer;
  const started: number[] = [];

  beforeEach(async () => {
    dir = await makeTempDir();
    server = await startHealthServer(200);
  });
  afterEach(async () => {
    for (const pid of started.splice(0)) killQuietly(pid);
    await server.close();
    await removeTempDir(dir);
  });

  function soakingPlan(soak: string): string {
    return `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollback: echo canary >> rollback.log
    soak: ${soak}
    health:
      - url: ${server.url('/healthz')}
        interval: 50ms
`;
  }

  /**
   * Starts a run and waits until it is soaking (so it holds the lock). The subprocess is wrapped
   * in an object because it is a thenable: returning it bare from an async function would wait for it.
   */
  async function startSoakingRun(): Promise<{ run: ReturnType<typeof startCli> }> {
    const run = startCli(['run'], { cwd: dir, timeout: 30_000 });
    if (run.pid !== undefined) started.push(run.pid);
    const endedEarly = run.then((result) => {
      throw new Error(`the run ended before it was soaking:\n${describeResult(toCliResult(result))}`);
    });
    await Promise.race([waitForState(defaultStatePath(dir), (s) => s.stages[0]?.status === 'soaking'), endedEarly]);
    return { run };
  }

  /** A run whose deploy holds until `release(dir)`: busy, holding the lock, for as long as the test needs. */
  async function startHeldRun(): Promise<{ run: ReturnType<typeof startCli> }> {
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: ${heldDeploy('echo canary >> deploy.log')}
    rollback: echo canary >> rollback.log
    soak: 0
`,
    );
    const run = startCli(['run'], { cwd: dir, timeout: 60_000 });
    if (run.pid !== undefined) started.push(run.pid);
    expect(await waitFor(() => exists(path.join(dir, 'holding')), 30_000), 'the held deploy never started').toBe(true);
    return { run };
  }

  it('makes a second run on the same state exit 4, naming the holder, and leaves the first alone', async () => {
    const { run: first } = await startHeldRun();
    const holder = await readState(defaultStatePath(dir));
    expect(await exists(lockPath(defaultStatePath(dir)))).toBe(true);

    const second = await runCli(['run'], { cwd: dir, timeout: 15_000 });

    expect(second.exitCode, describeResult(second)).toBe(4);
    const namesHolder = second.stderr.includes(holder.runId) || second.stderr.includes(String(first.pid));
    expect(namesHolder, `stderr names neither run id ${holder.runId} nor pid ${first.pid}:\n${second.stderr}`).toBe(true);
    expect(second.all).not.toMatch(STACK_TRACE);

    release(dir);
    const firstResult = toCliResult(await first);
    expect(firstResult.exitCode, describeResult(firstResult)).toBe(0);
    expect(await readLines(path.join(dir, 'deploy.log'))).toEqual(['canary']);
    const state = await readState(defaultStatePath(dir));
    expect(state.runId).toBe(holder.runId);
    expect(state.status).toBe('succeeded');
    expect(await exists(lockPath(defaultStatePath(dir)))).toBe(false);
  });

  it('refuses `rollout rollback` with exit 4 while a run holds the lock', async () => {
    const { run: first } = await startHeldRun();

    const rollback = await runCli(['rollback'], { cwd: dir, timeout: 15_000 });

    expect(rollback.exitCode, describeResult(rollback)).toBe(4);
    expect(await exists(path.join(dir, 'rollback.log'))).toBe(false);
    release(dir);
    const firstResult = toCliResult(await first);
    expect(firstResult.exitCode, describeResult(firstResult)).toBe(0);
  });

  it('takes over a lock left by a run that died, with a warning', async () => {
    await writePlan(dir, soakingPlan('30s'));
    const { run: first } = await startSoakingRun();
    const dead = await readState(defaultStatePath(dir));
    first.kill('SIGKILL');
    await first;
    expect(await exists(lockPath(defaultStatePath(dir))), 'SIGKILL should leave the lock behind').toBe(true);

    await writePlan(dir, soakingPlan('0'));
    const result = await runCli(['run'], { cwd: dir, timeout: 15_000 });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stderr).toMatch(/lock/i);
    const state = await readState(defaultStatePath(dir));
    expect(state.runId).not.toBe(dead.runId);
    expect(state.status).toBe('succeeded');
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('on %s exits %i, records the run as interrupted and releases the lock', async (signal, code) => {
    await writePlan(dir, soakingPlan('30s'));
    const { run: first } = await startSoakingRun();

    first.kill(signal);
    const result = toCliResult(await first);

    expect(result.timedOut).toBe(false);
    expect(result.exitCode, describeResult(result)).toBe(code);
    expect(result.all).not.toMatch(STACK_TRACE);
    const state = await readState(defaultStatePath(dir));
    expect(state.status).toBe('interrupted');
    expect(state.finishedAt).not.toBeNull();
    expect(await exists(lockPath(defaultStatePath(dir)))).toBe(false);
  });
});
