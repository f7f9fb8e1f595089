import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../clock.js';
import { InputError } from '../../errors.js';
import { writeFileAtomic } from '../atomic-write.js';
import type { Expected, LockHandle, LockInfo, LockOptions, RunSummary, StateBackend, StoredRecord, UnlockResult } from '../backend.js';
import type { StateDocument } from '../document.js';
import { ensureDirectory, unusableLocation } from '../ensure-directory.js';
import { StaleWriteError } from '../errors.js';
import { acquireLock, HEARTBEAT_MS, pidIsAlive, readLockHolder, removeLock, staleReason } from '../lock.js';
import { readState } from '../read-state.js';
import { FileHistory } from './history.js';
import { noteWritten, stillWritten, type WrittenFile } from './written-file.js';

export interface FileBackendOptions {
  host: string;
  clock: Clock;
  /** How many past runs to keep beside the state file. */
  keep: number;
}

/**
 * The embedded default: the state file, its `.bak`, a `.lock` beside it, and past runs in
 * `<state>.history/`. Writes are atomic and durable (see atomic-write.ts) before they resolve;
 * the lock protects one machine's runs only.
 */
export class FileBackend implements StateBackend {
  private readonly past: FileHistory;
  /** The file as our last write left it, and the identity it holds (see storedIdentity). */
  private written: { file: WrittenFile; lineage: string; serial: number } | null = null;

  constructor(
    readonly location: string,
    private readonly options: FileBackendOptions,
  ) {
    this.past = new FileHistory(location, options.keep);
  }

  async read(): Promise<StateDocument | null> {
    return readState(this.location);
  }

  async write(record: StoredRecord, expected: Expected): Promise<void> {
    const stored = this.storedIdentity();
    const same = stored === null ? expected === null : expected !== null && stored.lineage === expected.lineage && stored.serial === expected.serial;
    if (!same) throw new StaleWriteError(this.location, expected, stored);
    if (stored !== null && stored.lineage !== record.lineage) this.past.keepCurrent();
    this.written = null;
    writeFileAtomic(this.location, record.text, { backup: backupOf(record.status) });
    const file = noteWritten(this.location, record.text);
    if (file) this.written = { file, lineage: record.lineage, serial: record.serial };
  }

  async replace(doc: StateDocument): Promise<void> {
    try {
      // A stored record that cannot be read (`state push --force` over it) has no history to keep.
      const stored = this.storedIdentityIfReadable();
      if (stored !== null && stored.lineage !== doc.lineage) this.past.keepCurrent();
      this.written = null;
      writeFileAtomic(this.location, `${JSON.stringify(doc, null, 2)}\n`, { backup: backupOf(doc.status) });
    } catch (error) {
      throw unusableLocation(this.location, error);
    }
  }

  private storedIdentityIfReadable(): { lineage: string; serial: number } | null {
    try {
      return readState(this.location) && this.storedIdentity();
    } catch (error) {
      if (error instanceof InputError) return null;
      throw error;
    }
  }

  /**
   * The stored record's lineage and serial; null when there is none. Not read back when the file
   * is still the one our last write left (written-file.ts): a soak writes again and again.
   */
  private storedIdentity(): { lineage: string; serial: number } | null {
    const written = this.written;
    if (written !== null && stillWritten(this.location, written.file)) return { lineage: written.lineage, serial: written.serial };
    let text: string;
    try {
      text = readFileSync(this.location, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const doc = JSON.parse(text) as StateDocument;
    return { lineage: doc.lineage, serial: doc.serial };
  }

  async lock(info: LockInfo, options: LockOptions): Promise<LockHandle> {
    let lock: Awaited<ReturnType<typeof acquireLock>>;
    try {
      // The first thing a run writes: a location it cannot use is bad input, said before anything runs.
      ensureDirectory(dirname(this.location));
      lock = await acquireLock(`${this.location}.lock`, info, options);
    } catch (error) {
      throw unusableLocation(this.location, error);
    }
    const lost = new AbortController();
    const clock = this.options.clock;
    // A removed lock is said, not obeyed: on one machine `rollout unlock` is a human decision.
    let unwritable = false;
    const timer = setInterval(() => {
      try {
        if (!lock.heartbeat(new Date(clock.now()).toISOString())) options.warn(`the lock ${lock.path} was removed by someone else while this run holds it`);
      } catch (error) {
        // A directory gone read-only: the state write that fails next stops the run and says so.
        if (!unwritable) options.warn(`could not refresh the lock ${lock.path}: ${(error as Error).message}`);
        unwritable = true;
      }
    }, HEARTBEAT_MS);
    timer.unref();
    return {
      fence: null,
      lost: lost.signal,
      async release() {
        clearInterval(timer);
        lock.release();
      },
    };
  }

  async holder(): Promise<LockInfo | null> {
    return readLockHolder(`${this.location}.lock`);
  }

  async holderIsLive(holder: LockInfo): Promise<boolean> {
    return !staleReason(holder, this.options.host, this.options.clock.now(), pidIsAlive);
  }

  async unlock(runId: string): Promise<UnlockResult> {
    return removeLock(`${this.location}.lock`, runId);
  }

  async history(limit: number): Promise<RunSummary[]> {
    return this.past.list(await this.read(), limit);
  }

  async readRun(runId: string): Promise<StateDocument | null> {
    const current = await this.read();
    if (current?.runId === runId) return current;
    return this.past.read(runId);
  }

  async archiveUnfinished(doc: StateDocument): Promise<{ kept: string; undo: string }> {
    const archive = `${this.location}.unfinished-${doc.runId}.json`;
    writeFileAtomic(archive, `${JSON.stringify(doc, null, 2)}\n`);
    return { kept: archive, undo: `rollout rollback --state ${archive}` };
  }

  async close(): Promise<void> {}
}

/**
 * `.bak` is always a complete document `rollout status` reads truthfully: while a run goes on, the
 * write before the latest (a crash or a damaged file mid-run leaves a resumable record); once a
 * command has stopped (finished, paused, blocked, interrupted), that final record itself. Never a
 * `running` record of a run that has ended, which `status` would report as dead.
 */
function backupOf(status: StateDocument['status']): 'previous' | 'this' {
  return status === 'running' ? 'previous' : 'this';
}
