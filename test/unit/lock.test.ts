import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, type LockInfo, STALE_AFTER_MS, staleReason } from '../../src/state/lock.js';

const info = (over: Partial<LockInfo> = {}): LockInfo => ({
  runId: 'r1',
  pid: process.pid,
  host: 'here',
  startedAt: '2026-11-24T00:00:00.000Z',
  command: 'rollout run',
  heartbeatAt: '2026-11-24T00:00:00.000Z',
  ...over,
});

describe('lock heartbeat and staleness', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refreshes the heartbeat in place, and stops once the lock is no longer ours', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    const file = path.join(dir, 'state.json.lock');
    const lock = await acquireLock(file, info(), { warn: () => {}, now: () => Date.parse('2026-11-24T00:00:00Z') });
    expect(lock.heartbeat('2026-11-24T00:00:10.000Z')).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).heartbeatAt).toBe('2026-11-24T00:00:10.000Z');
    rmSync(file);
    expect(lock.heartbeat('2026-11-24T00:00:20.000Z')).toBe(false);
  });

  it('judges a holder on this host by its pid, on another host by its heartbeat', () => {
    const now = Date.parse('2026-11-24T00:10:00Z');
    const alive = () => true;
    const dead = () => false;
    expect(staleReason(info(), 'here', now, alive)).toBe(false);
    expect(staleReason(info(), 'here', now, dead)).toMatch(/no longer running/);
    const fresh = info({ host: 'there', heartbeatAt: new Date(now - STALE_AFTER_MS + 1000).toISOString() });
    const old = info({ host: 'there', heartbeatAt: new Date(now - STALE_AFTER_MS - 1000).toISOString() });
    expect(staleReason(fresh, 'here', now, dead)).toBe(false); // another host's pid means nothing here
    expect(staleReason(old, 'here', now, alive)).toMatch(/has not sent a heartbeat for 61s/);
  });
});
