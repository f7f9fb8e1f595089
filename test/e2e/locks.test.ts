import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, startCli } from '../helpers/cli.js';
import { heldDeploy, release, waitFor } from '../helpers/processes.js';
import { defaultStatePath, lockPath, readState, waitForState } from '../helpers/state.js';
import { exists, makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const foreignLock = (heartbeatAgoMs: number) =>
  JSON.stringify({ runId: 'r-elsewhere', pid: 4242, host: 'ci-runner-7', startedAt: ago(600_000), command: 'rollout run', heartbeatAt: ago(heartbeatAgoMs) });

describe('locks', { timeout: 40_000 }, () => {
  let dir: string;
  const statePath = () => defaultStatePath(dir);
  beforeEach(async () => {
    dir = await makeTempDir();
    await writePlan(dir, 'stages:\n  - name: only\n    deploy: echo deployed >> deploy.log\n    soak: 0\n');
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('a lock from another host with a recent heartbeat is respected: exit 4, naming holder and age', async () => {
    await runCli(['run'], { cwd: dir }); // creates .rollout/
    await writeFile(lockPath(statePath()), foreignLock(5_000));
    const result = await runCli(['run'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(4);
    expect(result.stderr).toMatch(/run r-elsewhere \(rollout run\), pid 4242 on ci-runner-7, since .*, last heartbeat \d+s ago/);
    expect(result.stderr).toMatch(/rollout unlock --run-id r-elsewhere/);
  });

  it('a lock from another host whose heartbeat stopped over a minute ago is taken over with a warning', async () => {
    await runCli(['run'], { cwd: dir });
    await writeFile(lockPath(statePath()), foreignLock(90_000));
    const result = await runCli(['run'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stderr).toMatch(/took over a stale lock .*r-elsewhere .* has not sent a heartbeat for 9\ds/);
    expect(await exists(lockPath(statePath()))).toBe(false);
  });

  it('--wait-lock waits for the holder to finish, and gives up with exit 4 after its limit', async () => {
    // The holder's deploy holds until released, so "the lock is busy" does not depend on a soak's clock.
    await writePlan(dir, `stages:\n  - name: only\n    deploy: ${heldDeploy('echo deployed >> deploy.log')}\n    soak: 0\n`);
    const first = startCli(['run'], { cwd: dir, timeout: 60_000 });
    expect(await waitFor(() => exists(`${dir}/holding`), 30_000)).toBe(true);

    const impatient = await runCli(['run', '--wait-lock', '200ms'], { cwd: dir });
    expect(impatient.exitCode, describeResult(impatient)).toBe(4);

    const patient = startCli(['run', '--wait-lock', '30s'], { cwd: dir, timeout: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // let it start waiting (either order passes)
    release(dir);
    expect((await first).exitCode).toBe(0);
    const waited = await patient;
    expect(waited.exitCode, String(waited.all)).toBe(0);
    const lines = (await readFile(`${dir}/deploy.log`, 'utf8')).trim().split('\n');
    expect(lines).toEqual(['deployed', 'deployed']);
  });

  it('unlock removes a lock only for its own run id', async () => {
    await runCli(['run'], { cwd: dir });
    await writeFile(lockPath(statePath()), foreignLock(5_000));

    const wrong = await runCli(['unlock', '--run-id', 'r-other'], { cwd: dir });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/held by run r-elsewhere .*not r-other; it was left in place/);
    expect(await exists(lockPath(statePath()))).toBe(true);

    const right = await runCli(['unlock', '--run-id', 'r-elsewhere'], { cwd: dir });
    expect(right.exitCode, describeResult(right)).toBe(0);
    expect(right.stdout).toMatch(/Removed .*: run r-elsewhere \(pid 4242 on ci-runner-7/);
    expect(await exists(lockPath(statePath()))).toBe(false);

    const none = await runCli(['unlock', '--run-id', 'r-elsewhere'], { cwd: dir });
    expect(none.exitCode).toBe(0);
    expect(none.stdout).toMatch(/No lock/);

    const missing = await runCli(['unlock'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
  });

  it('unlock shows what a lock file says without letting its control characters reach the terminal', async () => {
    await runCli(['run'], { cwd: dir });
    const hostile = JSON.parse(foreignLock(5_000));
    hostile.host = 'ci\u001b]0;owned\u0007\u001b[2J';
    await writeFile(lockPath(statePath()), JSON.stringify(hostile));
    const result = await runCli(['unlock', '--run-id', 'r-elsewhere'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout).not.toContain(String.fromCharCode(27));
    expect(result.stdout).toContain('on ci\\x1b]0;owned\\x07\\x1b[2J');
  });

  it('every graceful end releases the lock: success, failure, rollback, rollback failure, SIGINT, SIGTERM', async () => {
    const plans: [string, string, string[], number][] = [
      ['success', 'stages:\n  - name: a\n    deploy: "true"\n    soak: 0\n', ['run'], 0],
      ['failure', 'onFailure: stop\nstages:\n  - name: a\n    deploy: exit 1\n', ['run'], 1],
      ['rollback', 'stages:\n  - name: a\n    deploy: exit 1\n    rollback: "true"\n', ['run'], 1],
      ['rollback failure', 'stages:\n  - name: a\n    deploy: exit 1\n    rollback: exit 1\n', ['run'], 3],
    ];
    for (const [label, plan, args, code] of plans) {
      await writePlan(dir, plan);
      const result = await runCli(args, { cwd: dir });
      expect(result.exitCode, `${label}: ${describeResult(result)}`).toBe(code);
      expect(await exists(lockPath(statePath())), label).toBe(false);
    }
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      await writePlan(dir, 'stages:\n  - name: a\n    deploy: sleep 30\n');
      const run = startCli(['run'], { cwd: dir });
      await waitForState(statePath(), (s) => s.status === 'running' && s.stages[0]?.status === 'deploying');
      run.kill(signal);
      expect((await run).exitCode, signal).toBe(code);
      expect(await exists(lockPath(statePath())), signal).toBe(false);
      expect((await readState(statePath())).interruptedBy).toBe(signal);
    }
  });
});
