import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { LockedError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { judgeProcess, machineId, processStat } from './identity.js';
import type { LockInfo } from './lock-info.js';

export type { LockInfo } from './lock-info.js';

/** How often a holder refreshes its heartbeat. */
export const HEARTBEAT_MS = 10_000;
/** A lock from another host is stale once its heartbeat is this old (6 missed heartbeats). */
export const STALE_AFTER_MS = 60_000;

/** The lock file on disk, as its holder keeps it (the file backend wraps it in the backend's `LockHandle`). */
export interface LockFile {
  path: string;
  /** Refreshes the heartbeat; false when the lock is no longer ours (someone removed it). */
  heartbeat(nowIso: string): boolean;
  release(): void;
}

export interface AcquireOptions {
  /** Said when a stale lock is taken over. */
  warn: (message: string) => void;
  /** Current time, ms since the epoch (the injected clock). */
  now: () => number;
  /** Waits for the lock up to this long instead of failing at once (`--wait-lock`). */
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Whether a pid is alive on this host (injected for tests). */
  isAlive?: (pid: number) => boolean;
}

/**
 * Takes `<state>.lock` with one atomic step: the lock is written in full to a temp file, then
 * hard-linked into place, which fails if a lock exists. So a lock file is never seen half-written.
 * A stale lock (holder dead on this host, or heartbeat older than STALE_AFTER_MS from another
 * host) is taken over with a warning; a live one makes us wait (`waitMs`) or fail with exit 4.
 */
export async function acquireLock(path: string, info: LockInfo, options: AcquireOptions): Promise<LockFile> {
  const deadline = options.now() + (options.waitMs ?? 0);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const holder = tryAcquire(path, info, options);
    if (holder === 'acquired') return handle(path, info);
    if (options.now() >= deadline) throw new LockedError(lockedMessage(path, holder, options.now()));
    await sleep(Math.min(500, Math.max(1, deadline - options.now())));
  }
}

function tryAcquire(path: string, info: LockInfo, options: AcquireOptions): 'acquired' | LockInfo | null {
  const isAlive = options.isAlive ?? pidIsAlive;
  const body = `${JSON.stringify(info, null, 2)}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, body)) return 'acquired';
    const holder = readHolder(path);
    if (holder === undefined) continue; // vanished between our attempt and the read: try again
    const stale = holder !== null && staleReason(holder, info.host, options.now(), isAlive);
    if (stale && takeOver(path, holder)) {
      options.warn(`took over a stale lock ${path}: run ${holder.runId} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}) ${stale}`);
      continue;
    }
    return holder;
  }
  return readHolder(path) ?? null;
}

/**
 * Why a lock is stale, or false while its holder may still be working. A pid is judged only on
 * the same kernel and pid namespace (`machine`), and must still be the process that started at
 * `pidStart`: containers reuse host names and small pids. Where the pid cannot be judged (another
 * machine, or an old lock without `machine` from another host), the heartbeat's age decides.
 */
export function staleReason(
  holder: LockInfo,
  host: string,
  nowMs: number,
  isAlive: (pid: number) => boolean,
  here: string | null = machineId(),
): string | false {
  if (holder.machine && here) {
    const liveness = judgeProcess(holder, here);
    if (liveness === 'dead') return 'is no longer running';
    if (liveness === 'alive') return false;
  } else if (holder.host === host) return isAlive(holder.pid) ? false : 'is no longer running';
  return heartbeatStale(holder, nowMs);
}

function heartbeatStale(holder: LockInfo, nowMs: number): string | false {
  const beat = Date.parse(holder.heartbeatAt ?? holder.startedAt);
  if (Number.isNaN(beat)) return false;
  const age = nowMs - beat;
  return age > STALE_AFTER_MS ? `has not sent a heartbeat for ${Math.round(age / 1000)}s` : false;
}

function tryCreate(path: string, body: string): boolean {
  const temp = `${path}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
  writeFileSync(temp, body, { mode: 0o600 });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/** Who holds a lock, if anyone can tell. */
export function readLockHolder(path: string): LockInfo | null {
  return readHolder(path) ?? null;
}

/** The holder; `null` if the lock is unreadable, `undefined` if it is gone. */
function readHolder(path: string): LockInfo | null | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : null;
  }
}

/** Moves the stale lock aside; only one contender can win the rename. */
function takeOver(path: string, stale: LockInfo): boolean {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return false;
  }
  const moved = readHolder(aside);
  if (moved && moved.runId === stale.runId && moved.pid === stale.pid && moved.token === stale.token) {
    unlinkSync(aside);
    return true;
  }
  // Someone replaced the stale lock before our rename: put theirs back.
  try {
    linkSync(aside, path);
  } catch {}
  unlinkSync(aside);
  return false;
}

function handle(path: string, info: LockInfo): LockFile {
  let released = false;
  const ours = () => {
    const holder = readHolder(path);
    return holder?.runId === info.runId && holder.pid === info.pid && holder.token === info.token;
  };
  return {
    path,
    heartbeat(nowIso) {
      if (released || !ours()) return false;
      writeFileAtomic(path, `${JSON.stringify({ ...info, heartbeatAt: nowIso }, null, 2)}\n`);
      return true;
    },
    release() {
      if (released) return;
      released = true;
      if (ours()) unlinkSync(path);
    },
  };
}

export type RemoveResult = { kind: 'none' } | { kind: 'removed'; holder: LockInfo } | { kind: 'held'; holder: LockInfo | null };

/** Removes a lock only when it belongs to `runId`: for a holder that is gone but not provably dead. */
export function removeLock(path: string, runId: string): RemoveResult {
  const holder = readHolder(path);
  if (holder === undefined) return { kind: 'none' };
  if (holder === null || holder.runId !== runId) return { kind: 'held', holder };
  unlinkSync(path);
  return { kind: 'removed', holder };
}

function lockedMessage(path: string, holder: LockInfo | null, nowMs: number): string {
  if (!holder) return `${path} is locked by another run (the lock file is unreadable). If no rollout is running, delete it.`;
  const beat = Date.parse(holder.heartbeatAt ?? holder.startedAt);
  const age = Number.isNaN(beat) ? '' : `, last heartbeat ${Math.max(0, Math.round((nowMs - beat) / 1000))}s ago`;
  return (
    `another rollout holds ${path}: run ${holder.runId} (${holder.command}), pid ${holder.pid} on ${holder.host}, ` +
    `since ${holder.startedAt}${age}. Wait for it (--wait-lock 10m), or if that run is gone for good: ` +
    `rollout unlock --run-id ${holder.runId}`
  );
}

/** A zombie counts as dead: it holds nothing and will never release a lock. */
export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = processStat(pid)?.state;
  return state !== 'Z' && state !== 'X';
}
