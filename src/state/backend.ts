import type { StateDocument } from './document.js';
import type { LockInfo } from './lock-info.js';

export type { LockInfo } from './lock-info.js';

/**
 * Where a rollout's state lives. One implementation per folder (`file/`, `postgres/`), chosen from
 * the state location by `openBackend` (registry.ts). Everything a command needs from its store of
 * record goes through here, so a new store (S3 with conditional writes, etcd) is one new folder
 * and one registry line.
 */
export interface StateBackend {
  /** Where the state is, for messages: a path, or a URL with its password removed. */
  readonly location: string;
  /** The current run's document; null when nothing has run here yet. A damaged record is an InputError. */
  read(): Promise<StateDocument | null>;
  /**
   * Compare-and-swap: stores `doc` only if the stored record is still `expected` (same lineage and
   * serial; `null` = no record, or the previous run's record being replaced by a new lineage).
   * Refused with a StaleWriteError otherwise, and with a LeaseLostError when a lease-holding
   * backend's fence is no longer ours. Resolves once the write is durable.
   */
  write(record: StoredRecord, expected: Expected): Promise<void>;
  /** Takes the lock (waiting up to `options.waitMs`), or throws LockedError naming the holder. */
  lock(info: LockInfo, options: LockOptions): Promise<LockHandle>;
  /** Who holds the lock now, if anyone. */
  holder(): Promise<LockInfo | null>;
  /** Whether the current holder is still at work (false: crashed, expired, stale). */
  holderIsLive(holder: LockInfo): Promise<boolean>;
  /** Frees a lock only when it belongs to `runId` (`rollout unlock`). */
  unlock(runId: string): Promise<UnlockResult>;
  /** Past and current runs, newest first. */
  history(limit: number): Promise<RunSummary[]>;
  /** One run's document by id, current or past. */
  readRun(runId: string): Promise<StateDocument | null>;
  /** Keeps an unfinished run's record before a new run replaces it; says where, and how to undo it. */
  archiveUnfinished(doc: StateDocument): Promise<{ kept: string; undo: string }>;
  /** Sets the current record outright (`rollout state push --force`, `migrate`), history included. */
  replace(doc: StateDocument): Promise<void>;
  close(): Promise<void>;
}

/** One write: the document's text (secrets already redacted) and what indexes it, taken at the same moment. */
export interface StoredRecord extends RunSummary {
  text: string;
  lineage: string;
  serial: number;
}

export function storedRecord(doc: StateDocument, text: string): StoredRecord {
  return { ...summarise(doc), text, lineage: doc.lineage, serial: doc.serial };
}

/** What the writer believes is stored: the CAS condition. */
export type Expected = { lineage: string; serial: number } | null;

export interface LockOptions {
  /** Said when a stale or expired lock is taken over. */
  warn: (message: string) => void;
  now: () => number;
  waitMs: number;
  sleep: (ms: number) => Promise<void>;
}

export interface LockHandle {
  /** The fencing token (grows on every takeover); null for the local file lock. */
  readonly fence: number | null;
  /** Aborted when the lock is lost for good: the holder must stop at once. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export type UnlockResult = { kind: 'none' } | { kind: 'removed'; holder: LockInfo } | { kind: 'held'; holder: LockInfo | null };

/** One line of `rollout history`. */
export interface RunSummary {
  runId: string;
  status: StateDocument['status'];
  startedAt: string;
  finishedAt: string | null;
  failedStage: string | null;
  /** Who ran it: host, and the CI job URL when the CI gave one. */
  by: string | null;
}

export function summarise(doc: StateDocument): RunSummary {
  return {
    runId: doc.runId,
    status: doc.status,
    startedAt: doc.startedAt,
    finishedAt: doc.finishedAt,
    failedStage: doc.failure?.stage ?? null,
    by: doc.by ?? null,
  };
}
