import type { StageState, StateDocument } from '../state/document.js';
import type { LaneStatus } from './model.js';

/** A stage's lane on the timeline, as the one fold (src/run/reduce.ts) left it. */
const LANE = {
  pending: 'pending',
  deploying: 'running',
  soaking: 'running',
  succeeded: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  rolling_back: 'running',
  rolled_back: 'rolled_back',
  rollback_failed: 'rollback_failed',
} as const satisfies Record<StageState['status'], LaneStatus>;

export function laneStatus(stage: StageState, doc: StateDocument): LaneStatus {
  // A window keeps the stage from starting: blocked until a resume clears it.
  return stage.status === 'pending' && doc.blocked?.stage === stage.name ? 'blocked' : LANE[stage.status];
}

/** The plan-level rollback's lane, when it ran. */
export function planRollbackStatus(doc: StateDocument): LaneStatus | null {
  const rollback = doc.rollback;
  if (!rollback) return null;
  if (rollback.durationMs === null) return 'running';
  return rollback.exitCode === 0 && !rollback.timedOut ? 'rolled_back' : 'rollback_failed';
}
