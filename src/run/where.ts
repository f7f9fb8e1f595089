import type { StateDocument } from '../state/document.js';
import { type Action, newDrive } from './actions.js';
import { next } from './next.js';
import { applyEvent } from './reduce.js';

/**
 * What `rollout resume` would start first with this run, past its announcement: `status`,
 * `resume` and `promote`/`abort` read where a run is here, from the one model. The announcement's
 * effect (a blocked run is no longer blocked once resumed) is folded with the one reducer.
 */
export function whereRunIs(doc: StateDocument, now: number): Action | null {
  const drive = newDrive({ kind: 'forward' });
  const first = next(null, doc, drive, now)[0] ?? null;
  if (first?.kind !== 'announce') return first;
  const resumed = structuredClone(doc);
  applyEvent(resumed, { type: 'run.resumed', mode: first.mode, stage: first.stage, time: doc.updatedAt, runId: doc.runId });
  return next(null, resumed, { ...drive, said: first.mode }, now)[0] ?? null;
}
