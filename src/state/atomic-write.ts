import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ensureDirectory } from './ensure-directory.js';

/**
 * Replaces `path` with `text` so that a reader (or a crash) sees either the old file or the new
 * one, never a mix: temp file in the same directory, fsync, rename over, fsync the directory.
 * With `backup: true` (or `'previous'`), the file being replaced is first kept as `<path>.bak` (a
 * hard link, so the previous snapshot costs no copy and is itself swapped in atomically); with
 * `'this'`, the new text is written as the backup too (a run's final record: see FileBackend.write),
 * a copy of its own, never a link: a hand edit that truncates the file in place must not reach it.
 */
export function writeFileAtomic(path: string, text: string, options: { backup?: boolean | 'previous' | 'this' } = {}): void {
  const dir = dirname(path);
  ensureDirectory(dir);
  if (options.backup === 'this') replaceWith(`${path}.bak`, writeTemp(dir, path, text));
  const temp = writeTemp(dir, path, text);
  replaceWith(path, temp, options.backup === true || options.backup === 'previous');
  syncDirectory(dir);
}

function writeTemp(dir: string, path: string, text: string): string {
  const temp = join(dir, `.${basename(path)}.${uniqueSuffix()}.tmp`);
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

function replaceWith(path: string, temp: string, keepPrevious = false): void {
  try {
    if (keepPrevious) keepBackup(path);
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {}
    throw error;
  }
}

function keepBackup(path: string): void {
  // Unique per write, not per pid: a process killed here leaves its temp behind, and pids are reused.
  const pending = `${path}.bak.${uniqueSuffix()}.tmp`;
  try {
    linkSync(path, pending);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // first write: nothing to keep
    throw error;
  }
  renameSync(pending, `${path}.bak`);
}

function uniqueSuffix(): string {
  return `${process.pid}.${randomBytes(4).toString('hex')}`;
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
