import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { LockedError } from '../errors.js';

export interface LockInfo {
  runId: string;
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface LockHandle {
  path: string;
  release(): void;
}

export interface AcquireOptions {
  /** Called when a dead holder's lock is taken over. */
  warn: (message: string) => void;
  /** Whether a pid is alive on this host (injected for tests). */
  isAlive?: (pid: number) => boolean;
}

/**
 * Takes `<state>.lock` with one atomic step: the lock is written in full to a temp file, then
 * hard-linked into place, which fails if a lock exists. So a lock file is never seen half-written.
 */
export function acquireLock(path: string, info: LockInfo, options: AcquireOptions): LockHandle {
  const isAlive = options.isAlive ?? pidIsAlive;
  const body = `${JSON.stringify(info, null, 2)}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path, body)) return handle(path, info.runId);
    const holder = readHolder(path);
    if (holder === undefined) continue; // vanished between our attempt and the read: try again
    if (holder !== null && holder.host === info.host && !isAlive(holder.pid) && takeOver(path, holder)) {
      options.warn(`took over a stale lock ${path}: run ${holder.runId} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}) is no longer running`);
      continue;
    }
    throw new LockedError(lockedMessage(path, holder));
  }
  throw new LockedError(lockedMessage(path, readHolder(path) ?? null));
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
  if (moved && moved.runId === stale.runId && moved.pid === stale.pid) {
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

function handle(path: string, runId: string): LockHandle {
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      if (readHolder(path)?.runId === runId) unlinkSync(path);
    },
  };
}

function lockedMessage(path: string, holder: LockInfo | null): string {
  if (!holder) return `${path} is locked by another run (the lock file is unreadable). If no rollout is running, delete it.`;
  return (
    `another rollout holds ${path}: run ${holder.runId}, pid ${holder.pid} on ${holder.host}, ` +
    `started ${holder.startedAt} (${holder.command}). Wait for it to finish, or if it is gone, delete the lock file.`
  );
}

export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
