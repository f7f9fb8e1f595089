import { randomUUID } from 'node:crypto';
import type { RolloutEvent } from '../engine/events.js';
import { applyEvent, initialState } from '../run/reduce.js';
import { version } from '../version.js';
import { type Expected, type StateBackend, storedRecord } from './backend.js';
import type { ProcessGroupRecord, StateDocument } from './document.js';

export { readState } from './read-state.js';

/** A running command's process group is recorded once it has run this long (see recordProcessGroup). */
const GROUP_RECORD_MS = 100;

/** A document this big (a fleet's) waits GATHER_MS before each write, so more transitions share it. */
const GATHER_ABOVE_BYTES = 64 * 1024;
const GATHER_MS = 10;

/** Poll results are coalesced: at most one write per this interval while only counters change. */
const PROGRESS_FLUSH_MS = 1000;
/** ...and at most this much progress written a second: a big document is rewritten less often. */
const PROGRESS_BYTES_PER_S = 256 * 1024;

/**
 * How long poll counters wait to be written, after a write of `documentBytes`: a second, or longer
 * for a document over 256 KB (a thousand checks, ~1 MB: every 4 s). Rewriting a megabyte every
 * second (a row update on PostgreSQL, a file with two fsyncs that block the event loop) cost more
 * than the polls; counters are all a crash can lose by it, transitions are written at once.
 */
export function progressFlushMs(documentBytes: number): number {
  return Math.max(PROGRESS_FLUSH_MS, Math.ceil((documentBytes / PROGRESS_BYTES_PER_S) * 1000));
}

/**
 * Transitions after which a command starts, or the run ends: the engine awaits their record
 * before it goes on, so what is stored is never behind what was done (a crash right after a
 * deploy starts still shows it started). The others (a deploy finishing, a stage passing) are
 * written within one event-loop turn, together with whatever follows them at once: back-to-back
 * transitions cost one write instead of five. A crash in that turn can only make `resume` redo
 * what it may redo anyway: soak a stage again, or deploy again the stage that was in progress.
 */
export const WRITE_AT_ONCE = new Set<RolloutEvent['type']>([
  'run.started',
  'run.resumed',
  'deploy.started',
  'rollback.started',
  'rollback.step.started',
  'run.finished',
]);

export interface StoreOptions {
  /** Applied to the document's text before it is stored (secret redaction). */
  sanitise?: (text: string) => string;
  /** Called once when a write fails for good: the session stops the run (no command starts after it). */
  onFailure?: (error: unknown) => void;
  /** Who runs this (host, CI job URL), recorded in a new run's document. */
  by?: string | null;
}

/**
 * Listens to engine events and keeps the backend's record current (see WRITE_AT_ONCE). Writes
 * are queued in order, each a compare-and-swap on the previous one's lineage and serial. After a
 * failed write nothing more is written: the failure is kept for the command to report, and the
 * document (as the run saw it) stays available for a fallback file.
 */
export class StateStore {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private dirty = false;
  private readonly groupTimers = new Map<string, NodeJS.Timeout>();
  private queue: Promise<void> = Promise.resolve();
  /** The write queued and not started yet (see flush). */
  private waiting: Promise<void> | null = null;
  private expected: Expected;
  private failed: { error: unknown } | null = null;
  /** Length of the last text written (progressFlushMs). */
  private writtenBytes = 0;
  /** Lineage and serial of the last write that reached the backend. */
  lastGood: Expected;

  constructor(
    readonly backend: StateBackend,
    /** The run's document when continuing one (resume, rollback), or the record a new run replaces. */
    private doc: StateDocument | null = null,
    private readonly options: StoreOptions = {},
    /** What is stored now, when it is not `doc` (a new run replacing the previous one). */
    stored: StateDocument | null = doc,
  ) {
    this.expected = stored ? { lineage: stored.lineage, serial: stored.serial } : null;
    this.lastGood = this.expected;
  }

  get document(): StateDocument | null {
    return this.doc;
  }

  get failure(): unknown {
    return this.failed?.error;
  }

  readonly handle = (event: RolloutEvent): Promise<void> | undefined => {
    if (event.type === 'run.started') this.doc = { ...initialState(event), lineage: randomUUID(), serial: 0, by: this.options.by ?? null };
    if (!this.doc) return;
    const change = applyEvent(this.doc, event);
    if (change === 'transition' && WRITE_AT_ONCE.has(event.type)) return this.flush();
    if (change === 'transition') {
      this.dirty = true;
      this.immediate ??= setImmediate(() => void this.flush());
    } else if (change === 'progress') {
      this.dirty = true;
      this.timer ??= setTimeout(() => void this.flush(), progressFlushMs(this.writtenBytes));
    }
    return undefined;
  };

  /**
   * The command now running for `unit` (unitKey), so a later run can stop it if we die (SIGKILL
   * leaves its process group alive); `null` when it has ended. Several units may run at once: each
   * has its own entry in `processGroups`. Written once the command has run GROUP_RECORD_MS: most
   * commands (a `kubectl apply`, a `true` in a benchmark) end sooner, and a write per command would
   * cost more than it protects.
   */
  recordProcessGroup(unit: string, group: Omit<ProcessGroupRecord, 'unit'> | null): void {
    if (!this.doc) return;
    const timer = this.groupTimers.get(unit);
    if (timer) clearTimeout(timer);
    this.groupTimers.delete(unit);
    const others = (this.doc.processGroups ?? []).filter((recorded) => recorded.unit !== unit);
    const wasRecorded = others.length !== (this.doc.processGroups ?? []).length;
    this.doc.processGroups = group ? [...others, { ...group, unit }] : others;
    if (group) {
      const later = setTimeout(() => {
        this.groupTimers.delete(unit);
        void this.flush();
      }, GROUP_RECORD_MS);
      later.unref();
      this.groupTimers.set(unit, later);
    } else if (wasRecorded) this.dirty = true;
  }

  /**
   * Queues a write of the document; resolves once it is stored (or has failed for good). A write
   * already queued and not started yet takes the document as it is when it starts, so it serves
   * every flush asked meanwhile: fifty targets starting their deploys at once cost one or two
   * writes, not fifty (and never a document older than the event that asked).
   */
  flush(): Promise<void> {
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
    if (!this.doc || this.failed) return this.queue;
    if (this.waiting) return this.waiting;
    const write = this.queue
      .then(() => this.gather())
      .then(async () => {
        this.waiting = null;
        if (this.failed || !this.doc) return;
        this.doc.serial++;
        this.doc.rolloutctlVersion = version; // the last writer: a release older than it says who to use instead
        const record = storedRecord(this.doc, this.sanitise(`${JSON.stringify(this.doc, null, 2)}\n`));
        this.writtenBytes = record.text.length;
        const expected = this.expected;
        this.expected = { lineage: record.lineage, serial: record.serial };
        try {
          await this.backend.write(record, expected);
          this.lastGood = { lineage: record.lineage, serial: record.serial };
        } catch (error) {
          this.failed = { error };
          this.options.onFailure?.(error);
        }
      });
    this.waiting = write;
    this.queue = write;
    return write;
  }

  /**
   * Before a big document is written, a moment for the transitions that follow at once to join it:
   * a fleet's targets start their deploys a few milliseconds apart, and each waits for its record.
   */
  private gather(): Promise<void> {
    if (this.writtenBytes < GATHER_ABOVE_BYTES) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, GATHER_MS));
  }

  /** The document's text as it would be stored (for a fallback file). */
  text(): string | null {
    return this.doc ? this.sanitise(`${JSON.stringify(this.doc, null, 2)}\n`) : null;
  }

  private sanitise(text: string): string {
    return this.options.sanitise ? this.options.sanitise(text) : text;
  }

  /** Writes what is pending and waits for every write to settle. */
  async close(): Promise<void> {
    if (this.dirty || this.timer || this.immediate) await this.flush();
    await this.queue;
  }
}
