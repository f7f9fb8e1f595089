import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { LockedError } from '../../src/errors.js';
import { type LockInfo, type StateBackend, storedRecord } from '../../src/state/backend.js';
import type { StateDocument } from '../../src/state/document.js';
import { LeaseLostError, StaleWriteError } from '../../src/state/errors.js';
import { openBackend } from '../../src/state/registry.js';
import { PG_PASSWORD, type PostgresServer, startPostgres } from '../helpers/postgres.js';

/**
 * One behavioural suite, run against every backend: what a command may rely on whatever the
 * store. The PostgreSQL half runs against a real server the suite starts itself.
 */
let pgServer: PostgresServer;
let tempDir: string;
beforeAll(async () => {
  tempDir = mkdtempSync(path.join(tmpdir(), 'rollout-contract-'));
  pgServer = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pgServer?.destroy();
  rmSync(tempDir, { recursive: true, force: true });
});

let n = 0;
const backends: [string, (key: string) => Promise<StateBackend>][] = [
  ['local file', (key) => openBackend(path.join(tempDir, `${key}/state.json`), { key, env: {}, host: 'h', clock: systemClock, baseDir: tempDir })],
  ['PostgreSQL', (key) => openBackend(pgServer.url({ schema: 'contract', leaseTtl: '2s' }), { key, env: {}, host: 'h', clock: systemClock, baseDir: tempDir })],
];

const info = (runId: string, over: Partial<LockInfo> = {}): LockInfo => ({
  runId,
  pid: process.pid,
  host: 'runner-a',
  startedAt: new Date().toISOString(),
  command: 'rollout run',
  heartbeatAt: new Date().toISOString(),
  token: `t-${runId}`,
  ...over,
});
const lockOptions = { warn: () => {}, now: () => Date.now(), waitMs: 0, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

function doc(runId: string, lineage: string, serial: number, status: StateDocument['status'] = 'running'): StateDocument {
  const t = new Date(Date.parse('2026-11-25T00:00:00Z') + serial * 1000 + Number(runId.replace(/\D/g, '') || 0) * 60_000).toISOString();
  return {
    version: 2,
    runId,
    lineage,
    serial,
    plan: { name: 'web', path: '/p/rollout.config.yml', sha256: 'x', vars: {} },
    status,
    interruptedBy: null,
    resumes: 0,
    startedAt: t,
    updatedAt: t,
    finishedAt: status === 'running' ? null : t,
    stages: [],
    failure: status === 'rolled_back' ? { stage: 'canary', reason: 'health' } : null,
    rollback: null,
    by: 'runner-a',
  };
}
const write = (b: StateBackend, d: StateDocument, expected: { lineage: string; serial: number } | null) =>
  b.write(storedRecord(d, JSON.stringify(d)), expected);

describe.each(backends)('state backend contract: %s', (_name, open) => {
  it('reads nothing at first, then what was written; compare-and-swap refuses a stale writer', async () => {
    const key = `k${n++}`;
    const b = await open(key);
    try {
      expect(await b.read()).toBeNull();
      const lock = await b.lock(info('r1'), lockOptions);
      await write(b, doc('r1', 'L1', 1), null);
      expect((await b.read())?.serial).toBe(1);
      await write(b, doc('r1', 'L1', 2), { lineage: 'L1', serial: 1 });
      await expect(write(b, doc('r1', 'L1', 3), { lineage: 'L1', serial: 1 })).rejects.toBeInstanceOf(StaleWriteError);
      await expect(write(b, doc('r1', 'L1', 3), null)).rejects.toBeInstanceOf(StaleWriteError);
      expect((await b.read())?.serial).toBe(2);
      await lock.release();
    } finally {
      await b.close();
    }
  });

  it('one holder at a time: a second lock is refused with exit 4 naming the holder; free again after release', async () => {
    const key = `k${n++}`;
    const [a, b] = [await open(key), await open(key)];
    try {
      const lock = await a.lock(info('r1'), lockOptions);
      const refused = await b.lock(info('r2', { host: 'runner-b', token: 'other' }), lockOptions).catch((e) => e);
      expect(refused).toBeInstanceOf(LockedError);
      expect(refused.exitCode).toBe(4);
      expect(refused.message).toMatch(/run r1 \(rollout run\)/);
      expect((await b.holder())?.runId).toBe('r1');
      expect(await b.holderIsLive((await b.holder()) as LockInfo)).toBe(true);
      await lock.release();
      expect(await b.holder()).toBeNull();
      const second = await b.lock(info('r2', { host: 'runner-b', token: 'other' }), lockOptions);
      await second.release();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('unlock frees a lock only for its own run id', async () => {
    const key = `k${n++}`;
    const b = await open(key);
    try {
      expect((await b.unlock('r1')).kind).toBe('none');
      await b.lock(info('r1'), lockOptions); // never released: its holder "went away"
      expect((await b.unlock('nope')).kind).toBe('held');
      expect((await b.unlock('r1')).kind).toBe('removed');
      expect(await b.holder()).toBeNull();
    } finally {
      await b.close();
    }
  });

  it('keeps every run: history newest first with status and failed stage, and each old run readable', async () => {
    const key = `k${n++}`;
    const b = await open(key);
    try {
      const lock = await b.lock(info('r1'), lockOptions);
      await write(b, doc('r1', 'L1', 1), null);
      await write(b, doc('r1', 'L1', 2, 'rolled_back'), { lineage: 'L1', serial: 1 });
      await write(b, doc('r2', 'L2', 1), { lineage: 'L1', serial: 2 });
      await write(b, doc('r2', 'L2', 2, 'succeeded'), { lineage: 'L2', serial: 1 });
      const runs = await b.history(10);
      expect(runs.map((r) => [r.runId, r.status, r.failedStage])).toEqual([
        ['r2', 'succeeded', null],
        ['r1', 'rolled_back', 'canary'],
      ]);
      expect((await b.history(1)).map((r) => r.runId)).toEqual(['r2']);
      expect((await b.readRun('r1'))?.status).toBe('rolled_back');
      expect((await b.read())?.runId).toBe('r2');
      expect((await b.archiveUnfinished(doc('r2', 'L2', 2))).kept).toBeTruthy();
      await lock.release();
    } finally {
      await b.close();
    }
  });
});

describe('the local file backend', () => {
  it('sees another writer between two of its writes, whether it renamed a file in or wrote in place', async () => {
    // Our own writes are not read back (written-file.ts): what anyone else does must still be seen.
    const key = `k${n++}`;
    const ours = await openBackend(path.join(tempDir, `${key}/state.json`), { key, env: {}, host: 'h', clock: systemClock, baseDir: tempDir });
    const theirs = await openBackend(path.join(tempDir, `${key}/state.json`), { key, env: {}, host: 'h', clock: systemClock, baseDir: tempDir });
    try {
      await write(ours, doc('r1', 'L1', 1), null);
      await write(ours, doc('r1', 'L1', 2), { lineage: 'L1', serial: 1 });
      await write(theirs, doc('r1', 'L1', 3), { lineage: 'L1', serial: 2 });
      await expect(write(ours, doc('r1', 'L1', 3), { lineage: 'L1', serial: 2 })).rejects.toBeInstanceOf(StaleWriteError);

      await write(ours, doc('r1', 'L1', 4), { lineage: 'L1', serial: 3 });
      // The same length, the same inode, within the same clock tick: only the bytes differ.
      const file = path.join(tempDir, `${key}/state.json`);
      writeFileSync(file, readFileSync(file, 'utf8').replace('"serial":4', '"serial":7'));
      await expect(write(ours, doc('r1', 'L1', 5), { lineage: 'L1', serial: 4 })).rejects.toBeInstanceOf(StaleWriteError);
      await write(ours, doc('r1', 'L1', 8), { lineage: 'L1', serial: 7 });
      expect((await theirs.read())?.serial).toBe(8);
    } finally {
      await ours.close();
      await theirs.close();
    }
  });
});

describe('PostgreSQL lease and fence', () => {
  it('an expired lease is taken over with a growing fence; the old holder learns it lost the lease, and its late write is refused', async () => {
    const key = `fence${n++}`;
    const [a, b] = [await open(key), await open(key)];
    try {
      const warnings: string[] = [];
      const first = await a.lock(info('r1'), lockOptions);
      await write(a, doc('r1', 'L1', 1), null);
      // Let the lease lapse without a heartbeat reaching the server: expire it by the server's clock.
      await pgServer.query(`UPDATE contract.leases SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
      const second = await b.lock(info('r2', { host: 'runner-b', token: 'b' }), { ...lockOptions, warn: (m) => warnings.push(m) });
      expect(second.fence).toBe((first.fence ?? 0) + 1);
      expect(warnings.join('\n')).toMatch(/took over the expired lease .*run r1 \(rollout run\) on runner-a.*fence 1 → 2/);
      await write(b, doc('r1', 'L1', 2), { lineage: 'L1', serial: 1 }); // the new holder's write wins
      const late = await write(a, doc('r1', 'L1', 2), { lineage: 'L1', serial: 1 }).catch((e) => e);
      expect(late).toBeInstanceOf(LeaseLostError);
      expect(late.exitCode).toBe(5);
      expect(late.message).toMatch(/fence 1\): it is now fence 2, held by run r2/);
      await new Promise((resolve) => first.lost.addEventListener('abort', resolve, { once: true }));
      expect(String(first.lost.reason.message)).toMatch(/lost its lease .*taken over by run r2/);
      await second.release();
      await first.release();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('never lets the password out: errors for a wrong password, a bad host, and the location shown', async () => {
    const b = await open(`pw${n++}`);
    expect(b.location).not.toContain(PG_PASSWORD);
    expect(b.location).not.toContain(encodeURIComponent(PG_PASSWORD));
    await b.close();
    const wrong = pgServer.url().replace(encodeURIComponent(PG_PASSWORD), 'wrong-Passw0rd-123');
    const error = await openBackend(wrong, { key: 'x', env: {}, host: 'h', clock: systemClock, baseDir: tempDir }).catch((e) => e);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/cannot reach the state database postgres:\/\/rollout@127\.0\.0\.1:\d+\/postgres.*Nothing was run/);
    expect(error.message).not.toContain('wrong-Passw0rd-123');
  });

  function open(key: string) {
    return openBackend(pgServer.url({ schema: 'contract', leaseTtl: '2s' }), { key, env: {}, host: 'h', clock: systemClock, baseDir: tempDir });
  }
});
