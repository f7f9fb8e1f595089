import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { isProcessAlive, killQuietly } from '../helpers/processes.js';
import { readState, waitForState } from '../helpers/state.js';
import { exists, makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/** Waits until a file holds a pid (written by a deploy command), and returns it. */
async function pidFrom(file: string): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const [line] = await readLines(file);
    if (line) return Number(line);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no pid in ${file}`);
}

describe('CI cancellation: SIGINT and SIGTERM', { timeout: 40_000 }, () => {
  let dir: string;
  let server: HealthServer | undefined;
  const leftovers: number[] = [];
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    for (const pid of leftovers.splice(0)) killQuietly(pid);
    await server?.close();
    server = undefined;
    await removeTempDir(dir);
  });

  it('on SIGTERM mid-deploy: stops the whole command tree, records interrupted, frees the lock, exits 143', async () => {
    await writePlan(
      dir,
      [
        'stages:',
        '  - name: canary',
        "    deploy: sh -c 'sleep 999 & echo $! > grandchild.pid; sleep 999'",
        '    rollback: echo rolled-back >> rollbacks.log',
        '  - name: full',
        '    deploy: echo full >> deploys.log',
      ].join('\n'),
    );
    const cli = startCli(['run'], { cwd: dir });
    const grandchild = await pidFrom(path.join(dir, 'grandchild.pid'));
    leftovers.push(grandchild);
    cli.kill('SIGTERM');
    const result = await cli;

    expect(result.exitCode, result.all).toBe(143);
    expect(isProcessAlive(grandchild)).toBe(false);
    const state = await readState(path.join(dir, '.rollout/state.json'));
    expect(state.status).toBe('interrupted');
    expect(state.stages.map((s) => s.status)).toEqual(['deploying', 'pending']);
    expect(await exists(path.join(dir, '.rollout/state.json.lock'))).toBe(false);
    // onInterrupt defaults to stop: nothing else runs.
    expect(await readLines(path.join(dir, 'rollbacks.log'))).toEqual([]);
    expect(await readLines(path.join(dir, 'deploys.log'))).toEqual([]);

    const status = await runCli(['status'], { cwd: dir });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/was interrupted by SIGTERM while canary was deploying\. It left deployed: canary\./);
    expect(status.stdout).toMatch(/rollout resume/);
    expect(status.stdout).toMatch(/rollout rollback/);
  });

  it('on SIGINT mid-soak: records the soaking stage as interrupted and exits 130', async () => {
    server = await startHealthServer(200);
    await writePlan(
      dir,
      [
        'stages:',
        '  - name: canary',
        '    deploy: "true"',
        '    soak: 30s',
        '    health:',
        `      - url: ${server.url('/healthz')}`,
        '        interval: 100ms',
      ].join('\n'),
    );
    const cli = startCli(['run'], { cwd: dir });
    const statePath = path.join(dir, '.rollout/state.json');
    await waitForState(statePath, (s) => s.stages[0]?.status === 'soaking' && s.stages[0].checkResults.polls > 0);
    cli.kill('SIGINT');
    const result = await cli;
    expect(result.exitCode, result.all).toBe(130);
    const state = await readState(statePath);
    expect(state.status).toBe('interrupted');
    expect(state.stages[0]?.status).toBe('soaking');
    expect(state.finishedAt).not.toBeNull();
  });

  it('a command that ignores SIGTERM is SIGKILLed after killGrace, and the CLI exits within the grace plus one second', async () => {
    await writePlan(
      dir,
      ['killGrace: 1s', 'stages:', '  - name: stubborn', `    deploy: trap "" TERM; echo $$ > shell.pid; while true; do sleep 0.1; done`].join('\n'),
    );
    const cli = startCli(['run'], { cwd: dir });
    const shell = await pidFrom(path.join(dir, 'shell.pid'));
    leftovers.push(shell);
    const signalled = Date.now();
    cli.kill('SIGTERM');
    const result = await cli;
    const took = Date.now() - signalled;
    expect(result.exitCode, result.all).toBe(143);
    expect(isProcessAlive(shell)).toBe(false);
    // The contract for CI runners that SIGKILL us soon after: grace (1 s) plus one second at most.
    expect(took).toBeLessThan(2000);
    expect(took).toBeGreaterThanOrEqual(900); // it did wait for the grace period, not kill at once
    expect((await readState(path.join(dir, '.rollout/state.json'))).stages[0]?.deploy.signal).toBe('SIGKILL');
  });

  it('a second signal kills a command that ignores SIGTERM at once, and still records the state', async () => {
    await writePlan(dir, ['stages:', '  - name: stubborn', `    deploy: trap "" TERM; echo $$ > shell.pid; while true; do sleep 0.1; done`].join('\n'));
    const cli = startCli(['run'], { cwd: dir });
    const shell = await pidFrom(path.join(dir, 'shell.pid'));
    leftovers.push(shell);
    cli.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(isProcessAlive(shell)).toBe(true); // SIGTERM is ignored; the grace period (5 s) is running
    cli.kill('SIGTERM');
    const result = await cli;
    expect(result.exitCode, result.all).toBe(143);
    expect(isProcessAlive(shell)).toBe(false);
    expect((await readState(path.join(dir, '.rollout/state.json'))).status).toBe('interrupted');
  });
});
