import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../plan/types.js';
import { writeFileAtomic } from './atomic-write.js';
import type { StateDocument } from './document.js';
import { LeaseLostError, StateUnavailableError } from './errors.js';
import { parseStateText } from './read-state.js';
import type { StateStore } from './store.js';

/**
 * Why a session stopped, as the error its command exits with. A lost lease is said as it is (the
 * new holder owns the record now). A failed write keeps what the run did since its last good
 * record in a file beside the plan (Terraform's `errored.tfstate`), and says how to push it back.
 */
/** What the record says stopped a run (`interruptedBy`) when no signal did. */
export const STOPPED_BY = {
  stateWrite: 'a failed state write',
  lockLost: 'a lost lock',
} as const;

/** The lock could not be released (its directory unwritable, the store gone): what is left, and what to do. */
export function lockLeftAdvice(location: string, runId: string, why: string): string {
  const unlock = `\`rollout unlock --run-id ${runId}\``;
  if (/^[a-z]+:\/\//i.test(location)) {
    return `the lease on ${location} could not be released (${why}): it lapses by itself after its TTL, or remove it with ${unlock} once the store is reachable.`;
  }
  return `the lock of ${location} could not be released (${why}): it is left behind. Once ${location} can be written again, remove it with ${unlock}.`;
}

/**
 * `lockLeft`: said when the lock could not be released (lockLeftAdvice); null when it was.
 */
export async function stateFailure(reason: unknown, store: StateStore, plan: Pick<Plan, 'dir'>, lockLeft: string | null = null): Promise<Error> {
  if (reason instanceof LeaseLostError) return reason;
  const location = store.backend.location;
  const cause = reason instanceof Error ? reason.message : String(reason);
  const runId = store.document?.runId ?? 'unknown';
  const saved = saveFallback(store.text(), [plan.dir, tmpdir()], erroredRecordName(runId));
  const last = store.lastGood ? `serial ${store.lastGood.serial}` : 'none for this run';
  const local = !/^[a-z]+:\/\//i.test(location);
  const lastGood = !local
    ? `${location} (${last})`
    : existsSync(location)
      ? `${location} (${last}; or its backup ${location}.bak)`
      : `gone with ${location}: only this run's saved copy below remains`;
  const restore = saved
    ? `Everything this run did is saved in ${saved}: once ${location} can be written again, restore it with \`rollout state push ${saved}\`, then \`rollout status\`.`
    : 'Its record could not be saved anywhere else either: check the disk, then `rollout status` shows what the last good record says.';
  return new StateUnavailableError(
    `could not record the state of run ${runId} in ${location}: ${cause}. The run stopped: no deploy or rollback command started after the failure. ` +
      `The last good record is ${lastGood}. ${restore} ${lockLeft ? `Also, ${lockLeft}` : 'The lock was released.'}`,
  );
}

function saveFallback(text: string | null, dirs: string[], name: string): string | null {
  if (text === null) return null;
  for (const dir of dirs) {
    try {
      const path = join(dir, name);
      writeFileAtomic(path, text);
      return path;
    } catch {
      // The plan's directory may be what failed: try the next place.
    }
  }
  return null;
}

/** The file a run whose state write failed saves its record in (beside the plan, else in the temp directory). */
export function erroredRecordName(runId: string): string {
  return `rollout-state.${runId}.errored.json`;
}

/**
 * A saved record of `doc`'s run that is ahead of it (same lineage, higher serial): the stored record
 * stopped at the failed write, so `status` must say where the rest is. Looked for in `dirs`, then
 * the temp directory.
 */
export function findErroredRecord(doc: StateDocument, dirs: string[]): string | null {
  for (const dir of [...dirs, tmpdir()]) {
    const path = join(dir, erroredRecordName(doc.runId));
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const saved = parseStateText(text);
    if (saved.ok && saved.doc.lineage === doc.lineage && saved.doc.serial > doc.serial) return path;
  }
  return null;
}
