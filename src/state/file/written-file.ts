import { type BigIntStats, closeSync, openSync, readSync, statSync } from 'node:fs';

/** The start of a state document: its `lineage` and `serial` come within the first few lines. */
const HEAD_BYTES = 1024;

/** What our last write left at a path: its inode and times, and its first bytes. */
export interface WrittenFile {
  stats: BigIntStats;
  head: Buffer;
}

/** Notes what `text`, just written to `path`, left there; null when the file cannot be seen. */
export function noteWritten(path: string, text: string): WrittenFile | null {
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stats ? { stats, head: Buffer.from(text.slice(0, HEAD_BYTES)).subarray(0, HEAD_BYTES) } : null;
}

/**
 * Whether `path` is still the file we wrote, without reading it all: same device, inode, size and
 * change times (another writer renames a new file in, or writing in place changes the times), and
 * the same first bytes (timestamps tick coarsely: an edit in place within the same few ms keeps
 * them). A megabyte document then need not be read and parsed back before every write of a soak.
 */
export function stillWritten(path: string, written: WrittenFile): boolean {
  const now = statSync(path, { bigint: true, throwIfNoEntry: false });
  const was = written.stats;
  if (!now || now.dev !== was.dev || now.ino !== was.ino || now.size !== was.size || now.ctimeNs !== was.ctimeNs || now.mtimeNs !== was.mtimeNs) return false;
  const head = Buffer.alloc(written.head.length);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(written.head);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
