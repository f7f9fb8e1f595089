import { LockedError } from '../../errors.js';
import type { LockHandle, LockInfo, LockOptions } from '../backend.js';
import { LeaseLostError, StateUnavailableError } from '../errors.js';
import type { Connection } from './connection.js';

export interface LeaseTarget {
  db: Connection;
  schema: string;
  key: string;
  ttlMs: number;
  display: string;
}

interface LeaseRow {
  holder: LockInfo;
  fence: string;
  released: boolean;
  expires_in_ms: number;
}

/**
 * The lock on a shared store is a lease row: it belongs to whoever holds an unexpired lease,
 * judged by the database's clock (`now()`), never the runner's, and never by pid or host name.
 * Every acquisition bumps `fence`; every state write names the fence it holds and is refused when
 * it is no longer the current one. An expired lease is taken over, and the new holder says whose.
 */
export async function acquireLease(target: LeaseTarget, info: LockInfo, options: LockOptions): Promise<LockHandle> {
  const deadline = options.now() + options.waitMs;
  for (;;) {
    const { fence, previous } = await tryAcquire(target, info);
    if (fence !== null) {
      if (previous && !previous.released) {
        options.warn(
          `took over the expired lease on ${target.display} (key ${target.key}): ${describeHolder(previous.holder)}, ` +
            `expired ${Math.round(-previous.expires_in_ms / 1000)}s ago; fence ${previous.fence} → ${fence}`,
        );
      }
      return holdLease(target, info, fence);
    }
    if (options.now() >= deadline) throw new LockedError(lockedMessage(target, previous));
    await options.sleep(Math.min(500, Math.max(1, deadline - options.now())));
  }
}

async function tryAcquire(target: LeaseTarget, info: LockInfo): Promise<{ fence: number | null; previous: LeaseRow | null }> {
  const s = `"${target.schema}"`;
  const result = await target.db.query(
    `WITH prev AS (
       SELECT holder, fence::text AS fence, released, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS expires_in_ms
       FROM ${s}.leases WHERE key = $1
     ), up AS (
       INSERT INTO ${s}.leases AS l (key, run_id, holder, fence, acquired_at, expires_at)
       VALUES ($1, $2, $3::jsonb, 1, now(), now() + $4 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET run_id = excluded.run_id, holder = excluded.holder, fence = l.fence + 1,
         acquired_at = now(), expires_at = excluded.expires_at, released = false
       WHERE l.expires_at <= now()
       RETURNING fence::text AS fence
     )
     SELECT (SELECT fence FROM up) AS fence, (SELECT row_to_json(prev) FROM prev) AS previous`,
    [target.key, info.runId, JSON.stringify(info), target.ttlMs],
  );
  const row = result.rows[0] as { fence: string | null; previous: LeaseRow | null };
  return { fence: row.fence === null ? null : Number(row.fence), previous: row.previous };
}

/** Renews the lease every third of its TTL; a renewal refused, or none for a whole TTL, means it is lost. */
function holdLease(target: LeaseTarget, info: LockInfo, fence: number): LockHandle {
  const s = `"${target.schema}"`;
  const lost = new AbortController();
  let lastRenewed = Date.now();
  let released = false;
  let beating: Promise<void> | null = null;
  const loseWith = (why: string) => {
    if (lost.signal.aborted || released) return;
    lost.abort(
      new LeaseLostError(
        `run ${info.runId} lost its lease on ${target.display} (key ${target.key}, fence ${fence}): ${why}. ` +
          'It stopped: no further command was started and the running one was stopped. The new holder owns the record now; ' +
          `see \`rollout status --state ${target.display} --key ${target.key}\`.`,
      ),
    );
  };
  const unreachable = () => {
    if (lost.signal.aborted || released) return;
    lost.abort(
      new StateUnavailableError(
        `the state database ${target.display} could not be reached for a whole lease (${target.ttlMs / 1000}s), so this run may no longer hold it`,
      ),
    );
  };
  const beat = async () => {
    try {
      const renewed = await target.db.query(
        `UPDATE ${s}.leases SET expires_at = now() + $3 * interval '1 millisecond', holder = jsonb_set(holder, '{heartbeatAt}', to_jsonb(now()))
         WHERE key = $1 AND fence = $2 AND expires_at > now() AND NOT released RETURNING 1`,
        [target.key, fence, target.ttlMs],
      );
      if (renewed.rowCount === 1) lastRenewed = Date.now();
      else loseWith(await whoHasIt(target));
    } catch {
      // Unreachable for now; the connection retries. Past a whole TTL the lease may have expired:
      // stop as for a failed write (the record is saved beside the plan), not as a proven takeover.
      if (Date.now() - lastRenewed >= target.ttlMs) unreachable();
    }
  };
  // Each tick asks the server; only its answer (or a whole TTL without one) decides. A process
  // paused past its TTL thus learns on waking whether someone took the lease meanwhile.
  const timer = setInterval(
    () => {
      beating ??= beat().finally(() => {
        beating = null;
      });
    },
    Math.max(200, Math.floor(target.ttlMs / 3)),
  );
  timer.unref();
  return {
    fence,
    lost: lost.signal,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await beating;
      // Expire it now, keeping the row: the fence must keep growing across holders.
      await target.db
        .query(`UPDATE ${s}.leases SET released = true, expires_at = now() WHERE key = $1 AND fence = $2`, [target.key, fence])
        .catch(() => undefined); // unreachable: the lease expires on its own after its TTL
    },
  };
}

async function whoHasIt(target: LeaseTarget): Promise<string> {
  const now = await currentLease(target);
  if (!now || now.released) return 'it expired and was released';
  return `it expired and was taken over by ${describeHolder(now.holder)} (fence ${now.fence})`;
}

export async function currentLease(target: LeaseTarget): Promise<LeaseRow | null> {
  const s = `"${target.schema}"`;
  const result = await target.db.query(
    `SELECT holder, fence::text AS fence, released, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS expires_in_ms FROM ${s}.leases WHERE key = $1`,
    [target.key],
  );
  return (result.rows[0] as LeaseRow | undefined) ?? null;
}

export function describeHolder(holder: LockInfo): string {
  return `run ${holder.runId} (${holder.command}) on ${holder.host}${holder.ciJob ? `, ${holder.ciJob}` : ''}`;
}

function lockedMessage(target: LeaseTarget, row: LeaseRow | null): string {
  if (!row) return `another rollout holds the lease on ${target.display} (key ${target.key}).`;
  const h = row.holder;
  return (
    `another rollout holds the lease on ${target.display} (key ${target.key}): ${describeHolder(h)}, since ${h.startedAt}, ` +
    `lease expires in ${Math.max(0, Math.round(row.expires_in_ms / 1000))}s unless renewed. Wait for it (--wait-lock 10m), or if that run is gone for good: ` +
    `rollout unlock --state ${target.display} --key ${target.key} --run-id ${h.runId}`
  );
}
