import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RolloutEvent } from '../engine/events.js';
import { InputError } from '../errors.js';
import type { StateDocument } from './document.js';
import { applyEvent, initialState } from './reduce.js';

/** Poll results are coalesced: at most one write per this interval while only counters change. */
const PROGRESS_FLUSH_MS = 1000;

/**
 * Listens to engine events and keeps the state file current. Transitions are written
 * synchronously before the engine takes its next step, so what is on disk is never behind what
 * was done (a crash right after a deploy starts still shows it started).
 */
export class StateStore {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;

  constructor(
    readonly path: string,
    private doc: StateDocument | null = null,
  ) {}

  get document(): StateDocument | null {
    return this.doc;
  }

  readonly handle = (event: RolloutEvent): void => {
    if (event.type === 'run.started') this.doc = initialState(event);
    if (!this.doc) return;
    const change = applyEvent(this.doc, event);
    if (change === 'transition') this.flush();
    else if (change === 'progress') {
      this.dirty = true;
      this.timer ??= setTimeout(() => this.flush(), PROGRESS_FLUSH_MS);
    }
  };

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
    if (this.doc) writeStateAtomic(this.path, this.doc);
  }

  close(): void {
    if (this.dirty || this.timer) this.flush();
  }
}

/** Temp file in the same directory, fsync, rename over, fsync the directory: never a torn file. */
export function writeStateAtomic(path: string, doc: StateDocument): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(doc, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {}
    throw error;
  }
  syncDirectory(dir);
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

/** Reads a state file; `null` when there is none. A damaged file is an error, never silently replaced. */
export function readState(path: string): StateDocument | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`cannot read state file ${path}: ${(error as Error).message}`);
  }
  try {
    const doc = JSON.parse(text) as StateDocument;
    if (doc === null || typeof doc !== 'object' || doc.version !== 1 || !Array.isArray(doc.stages))
      throw new Error('not a rolloutctl state document (version 1)');
    return doc;
  } catch (error) {
    throw new InputError(
      `state file ${path} is damaged (${(error as Error).message}). It was not changed. ` +
        'Inspect it, restore it from your CI artifacts, or move it aside to start over.',
    );
  }
}
