import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { isProcessAlive, killQuietly, waitFor } from '../helpers/processes.js';
import { defaultStatePath, readState, stageOf } from '../helpers/state.js';
import { exists, makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

async function readPid(file: string): Promise<number> {
  return Number((await fs.readFile(file, 'utf8')).trim());
}

describe('rollout run: a deploy command fails', { timeout: 30_000 }, () => {
  let dir: string;
  const leftovers: number[] = [];

  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    for (const pid of leftovers.splice(0)) killQuietly(pid);
    await removeTempDir(dir);
  });

  it('fails the stage on a non-zero exit, rolls back it and earlier stages, skips later ones', async () => {
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollback: echo canary >> rollback.log
    soak: 0
  - name: half
    deploy: echo half >> deploy.log && echo about to fail && exit 7
    rollback: echo half >> rollback.log
    soak: 0
  - name: full
    deploy: echo full >> deploy.log
    rollback: echo full >> rollback.log
`,
    );

    const result = await runCli(['run'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(await readLines(path.join(dir, 'deploy.log'))).toEqual(['canary', 'half']);
    expect(await readLines(path.join(dir, 'rollback.log'))).toEqual(['half', 'canary']);

    const state = await readState(defaultStatePath(dir));
    expect(state.status).toBe('rolled_back');
    expect(state.failure?.stage).toBe('half');
    expect(state.failure?.reason).toMatch(/7/);
    expect(stageOf(state, 'half').deploy.exitCode).toBe(7);
    expect(stageOf(state, 'canary').deploy.exitCode).toBe(0);
    expect(state.stages.map((s) => s.status)).toEqual(['rolled_back', 'rolled_back', 'skipped']);

    expect(result.stderr).toMatch(/half\s*\|\s*about to fail/);
    expect(result.stderr).toMatch(/half/);
    expect(result.all).toMatch(/fail/i);
    expect(result.all).not.toMatch(STACK_TRACE);
  });

  it('fails the stage when the deploy command does not exist', async () => {
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: ./no-such-deploy-script.sh
  - name: full
    deploy: echo full >> deploy.log
`,
    );

    const result = await runCli(['run'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(await exists(path.join(dir, 'deploy.log'))).toBe(false);
    const state = await readState(defaultStatePath(dir));
    expect(state.failure?.stage).toBe('canary');
    expect(stageOf(state, 'canary').deploy.exitCode).toBe(127);
    expect(stageOf(state, 'full').status).toBe('skipped');
  });

  it('kills the whole process tree, grandchildren included, when a deploy runs past its timeout', async () => {
    // /bin/sh runs the deploy; `sleep` is its child, the CLI's grandchild. The sleep also keeps the
    // output pipes open, so a CLI that only kills its direct child hangs until our 15 s limit.
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: sleep 30 & echo $! > sleep.pid; echo started >> deploy.log; wait
    rollback: echo canary >> rollback.log
    timeout: 500ms
  - name: full
    deploy: echo full >> deploy.log
`,
    );

    const result = await runCli(['run'], { cwd: dir, timeout: 15_000 });
    const pid = await readPid(path.join(dir, 'sleep.pid'));
    leftovers.push(pid);

    expect(result.timedOut, 'the CLI hung: the grandchild kept it waiting').toBe(false);
    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(await waitFor(() => !isProcessAlive(pid), 3_000), `grandchild sleep ${pid} still running`).toBe(true);
    expect(await readLines(path.join(dir, 'deploy.log'))).toEqual(['started']);
    expect(await readLines(path.join(dir, 'rollback.log'))).toEqual(['canary']);

    const state = await readState(defaultStatePath(dir));
    expect(state.failure?.stage).toBe('canary');
    expect(state.failure?.reason).toMatch(/time/i);
    const canary = stageOf(state, 'canary');
    expect(canary.deploy.timedOut).toBe(true);
    expect(stageOf(state, 'full').status).toBe('skipped');
  });

  it('applies defaults.timeout to a stage that sets none, killing a detached-looking subshell tree', async () => {
    await writePlan(
      dir,
      `defaults:
  timeout: 400ms
stages:
  - name: canary
    deploy: (sh -c 'sleep 30 & echo $! > sleep.pid; wait') ; echo after >> deploy.log
`,
    );

    const result = await runCli(['run'], { cwd: dir, timeout: 15_000 });
    expect(await waitFor(() => exists(path.join(dir, 'sleep.pid')), 1_000)).toBe(true);
    const pid = await readPid(path.join(dir, 'sleep.pid'));
    leftovers.push(pid);

    expect(result.timedOut).toBe(false);
    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(await waitFor(() => !isProcessAlive(pid), 3_000), `great-grandchild sleep ${pid} still running`).toBe(true);
    // The shell itself was killed too: it never got to run the command after the subshell.
    expect(await exists(path.join(dir, 'deploy.log'))).toBe(false);
    expect(stageOf(await readState(defaultStatePath(dir)), 'canary').deploy.timedOut).toBe(true);
  });
});
