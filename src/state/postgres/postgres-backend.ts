import { InputError } from '../../errors.js';
import type { Expected, LockHandle, LockInfo, LockOptions, RunSummary, StateBackend, StoredRecord, UnlockResult } from '../backend.js';
import type { StateDocument } from '../document.js';
import { LeaseLostError, StaleWriteError } from '../errors.js';
import { checkStateValue } from '../read-state.js';
import type { BackendOptions } from '../registry.js';
import { Connection } from './connection.js';
import { acquireLease, currentLease, describeHolder, type LeaseTarget } from './lease.js';
import { ensureSchema } from './schema.js';
import { parsePostgresLocation, redactSecrets } from './url.js';

/**
 * Shared state on PostgreSQL: every runner that can reach the database sees one record per key,
 * one lease, and every run's history. See docs/state-backends.md for the tables and the rules.
 */
export async function openPostgresBackend(raw: string, options: BackendOptions): Promise<StateBackend> {
  const where = parsePostgresLocation(raw, options.env);
  if (options.key === null) throw new InputError(`state location ${where.display} needs a key (--key NAME, or the plan's key:/name:)`);
  const redact = (message: string) => redactSecrets(message, where.secrets);
  const db = new Connection({
    config: {
      connectionString: where.connectionString,
      connectionTimeoutMillis: 5_000,
      query_timeout: where.leaseTtlMs,
      application_name: 'rolloutctl',
      keepAlive: true,
    },
    retryMs: where.leaseTtlMs,
    redact,
    display: where.display,
  });
  await db.open();
  try {
    await ensureSchema(db, where.schema);
  } catch (error) {
    await db.close();
    throw new InputError(`cannot prepare the state tables in ${where.display}: ${redact((error as Error).message)}`);
  }
  return new PostgresBackend(db, { db, schema: where.schema, key: options.key, ttlMs: where.leaseTtlMs, display: where.display }, redact);
}

class PostgresBackend implements StateBackend {
  readonly location: string;
  private fence: number | null = null;
  private readonly s: string;

  constructor(
    private readonly db: Connection,
    private readonly lease: LeaseTarget,
    private readonly redact: (message: string) => string,
  ) {
    this.location = lease.display;
    this.s = `"${lease.schema}"`;
  }

  async read(): Promise<StateDocument | null> {
    const result = await this.guard(this.db.query(`SELECT doc FROM ${this.s}.state WHERE key = $1`, [this.lease.key]));
    return this.checked(result.rows[0]?.doc, 'the current record');
  }

  /**
   * One statement: the lease row is locked and checked (our fence, unexpired by the server's
   * clock), the current record compared (lineage, serial), and only then the record and its
   * history row written. A retry after a dropped connection that had in fact committed finds its
   * own write in place and succeeds.
   */
  async write(record: StoredRecord, expected: Expected): Promise<void> {
    if (this.fence === null) throw new LeaseLostError(`run ${record.runId} writes to ${this.location} without holding its lease`);
    const result = await this.guard(
      this.db.query(
        `WITH lease AS (
           SELECT fence, holder, expires_at > now() AS valid FROM ${this.s}.leases WHERE key = $1 FOR UPDATE
         ), cur AS (
           SELECT lineage, serial FROM ${this.s}.state WHERE key = $1 FOR UPDATE
         ), allowed AS (
           SELECT 1 WHERE EXISTS (SELECT 1 FROM lease WHERE fence = $2 AND valid)
             AND ((NOT EXISTS (SELECT 1 FROM cur) AND $3::text IS NULL) OR EXISTS (SELECT 1 FROM cur WHERE lineage = $3 AND serial = $4))
         ), st AS (
           INSERT INTO ${this.s}.state (key, run_id, lineage, serial, doc, updated_at)
           SELECT $1, $5, $6, $7, $8::jsonb, now() FROM allowed
           ON CONFLICT (key) DO UPDATE SET run_id = excluded.run_id, lineage = excluded.lineage, serial = excluded.serial, doc = excluded.doc, updated_at = now()
           RETURNING 1
         ), hist AS (
           INSERT INTO ${this.s}.runs (key, run_id, lineage, serial, status, started_at, finished_at, failed_stage, started_by, doc, updated_at)
           SELECT $1, $5, $6, $7, $9, $10, $11, $12, $13, $8::jsonb, now() FROM st
           ON CONFLICT (key, run_id) DO UPDATE SET lineage = excluded.lineage, serial = excluded.serial, status = excluded.status,
             finished_at = excluded.finished_at, failed_stage = excluded.failed_stage, doc = excluded.doc, updated_at = now()
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM st)::int AS written, (SELECT row_to_json(lease) FROM lease) AS lease, (SELECT row_to_json(cur) FROM cur) AS cur`,
        [
          this.lease.key,
          this.fence,
          expected?.lineage ?? null,
          expected?.serial ?? null,
          record.runId,
          record.lineage,
          record.serial,
          record.text,
          record.status,
          record.startedAt,
          record.finishedAt,
          record.failedStage,
          record.by,
        ],
      ),
    );
    const row = result.rows[0] as {
      written: number;
      lease: { fence: string; holder: LockInfo; valid: boolean } | null;
      cur: { lineage: string; serial: string } | null;
    };
    if (row.written === 1) return;
    const stored = row.cur ? { lineage: row.cur.lineage, serial: Number(row.cur.serial) } : null;
    if (!row.lease || Number(row.lease.fence) !== this.fence || !row.lease.valid) {
      const now =
        row.lease && Number(row.lease.fence) !== this.fence ? `it is now fence ${row.lease.fence}, held by ${describeHolder(row.lease.holder)}` : 'it expired';
      throw new LeaseLostError(
        `run ${record.runId} lost its lease on ${this.location} (key ${this.lease.key}, fence ${this.fence}): ${now}; its write was refused. ` +
          'It stopped: no further command was started. The new holder owns the record now.',
      );
    }
    if (stored && stored.lineage === record.lineage && stored.serial === record.serial) return; // our retried write had landed
    throw new StaleWriteError(`${this.location} (key ${this.lease.key})`, expected, stored);
  }

  async replace(doc: StateDocument): Promise<void> {
    const text = JSON.stringify(doc);
    await this.guard(
      this.db.transaction(async (q) => {
        await q(
          `INSERT INTO ${this.s}.state (key, run_id, lineage, serial, doc) VALUES ($1, $2, $3, $4, $5::jsonb)
           ON CONFLICT (key) DO UPDATE SET run_id = excluded.run_id, lineage = excluded.lineage, serial = excluded.serial, doc = excluded.doc, updated_at = now()`,
          [this.lease.key, doc.runId, doc.lineage, doc.serial, text],
        );
        await this.keepRun(q, doc, text);
      }),
    );
  }

  /** Adds or updates one run in the history without touching the current record (`state migrate`). */
  async keepRun(q: (text: string, params?: unknown[]) => Promise<unknown>, doc: StateDocument, text = JSON.stringify(doc)): Promise<void> {
    await q(
      `INSERT INTO ${this.s}.runs (key, run_id, lineage, serial, status, started_at, finished_at, failed_stage, started_by, doc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)
       ON CONFLICT (key, run_id) DO UPDATE SET lineage = excluded.lineage, serial = excluded.serial, status = excluded.status,
         finished_at = excluded.finished_at, failed_stage = excluded.failed_stage, doc = excluded.doc, updated_at = now()`,
      [this.lease.key, doc.runId, doc.lineage, doc.serial, doc.status, doc.startedAt, doc.finishedAt, doc.failure?.stage ?? null, doc.by ?? null, text],
    );
  }

  async lock(info: LockInfo, options: LockOptions): Promise<LockHandle> {
    const handle = await this.guard(acquireLease(this.lease, info, options));
    this.fence = handle.fence;
    return handle;
  }

  async holder(): Promise<LockInfo | null> {
    const row = await this.guard(currentLease(this.lease));
    return row && !row.released && row.expires_in_ms > 0 ? row.holder : null;
  }

  /** The lease alone decides: a holder is live while its lease has not expired by the server's clock. */
  async holderIsLive(holder: LockInfo): Promise<boolean> {
    const row = await this.guard(currentLease(this.lease));
    return row !== null && !row.released && row.expires_in_ms > 0 && row.holder.runId === holder.runId;
  }

  async unlock(runId: string): Promise<UnlockResult> {
    const row = await this.guard(currentLease(this.lease));
    if (!row || row.released || row.expires_in_ms <= 0) return { kind: 'none' };
    if (row.holder.runId !== runId) return { kind: 'held', holder: row.holder };
    await this.guard(
      this.db.query(`UPDATE ${this.s}.leases SET released = true, expires_at = now() WHERE key = $1 AND fence = $2`, [this.lease.key, row.fence]),
    );
    return { kind: 'removed', holder: row.holder };
  }

  async history(limit: number): Promise<RunSummary[]> {
    const result = await this.guard(
      this.db.query(
        `SELECT run_id, status, started_at, finished_at, failed_stage, started_by FROM ${this.s}.runs WHERE key = $1 ORDER BY started_at DESC, run_id DESC LIMIT $2`,
        [this.lease.key, limit],
      ),
    );
    return result.rows.map((r) => ({
      runId: r.run_id,
      status: r.status,
      startedAt: (r.started_at as Date).toISOString(),
      finishedAt: r.finished_at ? (r.finished_at as Date).toISOString() : null,
      failedStage: r.failed_stage,
      by: r.started_by,
    }));
  }

  async readRun(runId: string): Promise<StateDocument | null> {
    const result = await this.guard(this.db.query(`SELECT doc FROM ${this.s}.runs WHERE key = $1 AND run_id = $2`, [this.lease.key, runId]));
    return this.checked(result.rows[0]?.doc, `the record of run ${runId}`);
  }

  /** Every write already keeps the run in `runs`: nothing to copy. */
  async archiveUnfinished(doc: StateDocument): Promise<{ kept: string; undo: string }> {
    return {
      kept: `the history of ${this.location} (key ${this.lease.key})`,
      undo: `rollout status --run ${doc.runId} shows it; roll back by hand what it left`,
    };
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** A stored document, validated like a file's (document-schema.ts): a bad one is refused naming the field. */
  private checked(doc: unknown, what: string): StateDocument | null {
    if (doc === undefined || doc === null) return null;
    const parsed = checkStateValue(doc);
    if (parsed.ok) return parsed.doc;
    const where = `${what} for key ${this.lease.key} in ${this.location}`;
    if (parsed.newer) throw new InputError(`${where} ${parsed.problem}`);
    throw new InputError(
      `${where} is damaged (${parsed.problem}); it was left exactly as it is. Put a good copy back with ` +
        '`rollout state push FILE --force --reason "…"` (a CI artifact, or an earlier run from `rollout state pull --run ID`), or correct the row by hand.',
    );
  }

  /** No message from the database leaves here with a password in it. */
  private async guard<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      if (error instanceof Error) {
        error.message = this.redact(error.message);
        if (error.stack) error.stack = this.redact(error.stack);
      }
      throw error;
    }
  }
}
