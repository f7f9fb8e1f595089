import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stopLeftoverGroup } from '../../src/exec/leftover-group.js';
import { machineId, processStart, processStat } from '../../src/state/identity.js';
import { type LockInfo, pidIsAlive, STALE_AFTER_MS, staleReason } from '../../src/state/lock.js';

/** Issue 10 items 11 and 12: lock identity that survives containers, and leftover process groups. */
const here = machineId();
const now = Date.parse('2026-11-25T10:00:00Z');
const lock = (over: Partial<LockInfo>): LockInfo => ({
  runId: 'r1',
  pid: process.pid,
  host: 'ci',
  startedAt: '2026-11-25T09:00:00.000Z',
  command: 'rollout run',
  heartbeatAt: new Date(now - 5_000).toISOString(),
  ...over,
});
const alive = () => true;

/**
 * A zombie: `sleep 0` backgrounded by a shell that then execs into `sleep 5`, which never reaps it.
 * Waits until the child really is a zombie (a loaded machine may take a while to fork and exit it).
 */
async function zombie(): Promise<{ pid: number; stop: () => void }> {
  const parent = spawn('/bin/sh', ['-c', 'sleep 0 & exec sleep 5'], { stdio: 'ignore' });
  const stop = () => parent.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    let children = '';
    try {
      children = readFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`, 'utf8').trim();
    } catch {
      // not there yet
    }
    const pid = Number(children.split(' ')[0]);
    if (pid > 0 && processStat(pid)?.state === 'Z') return { pid, stop };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  stop();
  throw new Error('no zombie appeared within 10 s');
}

describe('lock identity (item 11)', () => {
  it('has a machine identity on Linux: boot id + pid namespace', () => {
    expect(here).toMatch(/^[0-9a-f-]{36}\/\d+$/);
  });

  it.each([
    ['same machine, our own live process', lock({ machine: here ?? '', pidStart: processStart(process.pid) ?? '' }), false],
    ['same machine, the pid reused by another process (start time differs)', lock({ machine: here ?? '', pidStart: '1' }), 'is no longer running'],
    ['same host name, other container or boot, fresh heartbeat: pid not judged', lock({ machine: 'other-boot/4026531836', pid: 1 }), false],
    [
      'same host name, other container, heartbeat too old',
      lock({ machine: 'other-boot/4026531836', heartbeatAt: new Date(now - STALE_AFTER_MS - 1_000).toISOString() }),
      'has not sent a heartbeat for 61s',
    ],
  ])('%s', (_name, holder, expected) => {
    const reason = staleReason(holder, 'ci', now, alive, here);
    if (expected === false) expect(reason).toBe(false);
    else expect(reason).toMatch(expected as string);
  });

  it('treats a zombie pid as dead', async () => {
    const z = await zombie();
    try {
      expect(processStat(z.pid)?.state).toBe('Z');
      expect(pidIsAlive(z.pid)).toBe(false);
      expect(staleReason(lock({ machine: here ?? '', pid: z.pid }), 'ci', now, alive, here)).toBe('is no longer running');
      expect(staleReason(lock({ pid: z.pid }), 'ci', now, pidIsAlive, null)).toBe('is no longer running'); // old lock format, same host
    } finally {
      z.stop();
    }
  });
});

describe('leftover process groups (item 12)', () => {
  it('stops a recorded group only when it is the same one (same machine, same leader start time)', async () => {
    const leader = spawn('/bin/sh', ['-c', 'sleep 30 & sleep 30; wait'], { detached: true, stdio: 'ignore' });
    const pgid = leader.pid as number;
    const exited = new Promise((resolve) => leader.once('exit', resolve));
    try {
      await new Promise((r) => setTimeout(r, 200));
      const startTicks = processStart(pgid) as string;
      const record = { pgid, startTicks, machine: here as string, host: 'ci', command: 'sleep 30' };
      const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
      expect((await stopLeftoverGroup({ ...record, machine: 'elsewhere/1' }, 1000, sleep)).kind).toBe('unverifiable');
      expect((await stopLeftoverGroup({ ...record, startTicks: String(BigInt(startTicks) + 1n) }, 1000, sleep)).kind).toBe('none');
      expect(processStat(pgid)).not.toBeNull(); // a mismatch touched nothing
      const outcome = await stopLeftoverGroup(record, 2000, sleep);
      expect(outcome.kind).toBe('stopped');
      await exited;
      expect((outcome as { pids: number[] }).pids.length).toBeGreaterThanOrEqual(2); // the shell and its background sleep
    } finally {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {}
    }
  });
});
