import type { StageState, TargetState, TargetStatus } from '../state/document.js';

/** At most this many failed targets are named in a webhook message; `failedCount` says how many failed in all. */
export const FAILED_TARGETS_NAMED = 20;

/** A fleet stage's targets as a webhook tells them: counts by status and the failed ones by name. */
export interface StageTargets {
  stage: string;
  total: number;
  /** Targets by status; statuses no target has are left out. */
  counts: Partial<Record<TargetStatus, number>>;
  /** The first failed targets in deploy order (at most FAILED_TARGETS_NAMED), each with why it failed. */
  failed: FailedTarget[];
  /** Every target that failed, including those beyond `failed`. */
  failedCount: number;
}

export interface FailedTarget {
  name: string;
  batch: number;
  /** `failed`, or what its rollback made of it (`rolled_back`, `rollback_failed`). */
  status: TargetStatus;
  reason: string | null;
}

/** The order counts are listed in: a target's life, then its undoing. */
const ORDER = {
  pending: 0,
  deploying: 1,
  verifying: 2,
  soaking: 3,
  updated: 4,
  failed: 5,
  rolling_back: 6,
  rolled_back: 7,
  rollback_failed: 8,
  skipped: 9,
} as const satisfies Record<TargetStatus, number>;

/** A fleet stage's targets (null for a stage without targets), read from the reduced document. */
export function stageTargets(stage: StageState): StageTargets | null {
  if (!stage.targets) return null;
  const counts: Partial<Record<TargetStatus, number>> = {};
  const statuses = (Object.keys(ORDER) as TargetStatus[]).sort((a, b) => ORDER[a] - ORDER[b]);
  for (const status of statuses) {
    const n = stage.targets.filter((t) => t.status === status).length;
    if (n > 0) counts[status] = n;
  }
  // `failed` stays true after a failed target is rolled back: it still failed.
  const failed = stage.targets.filter((t) => t.failed);
  return {
    stage: stage.name,
    total: stage.targets.length,
    counts,
    failed: failed.slice(0, FAILED_TARGETS_NAMED).map(failedTarget),
    failedCount: failed.length,
  };
}

function failedTarget(target: TargetState): FailedTarget {
  return { name: target.name, batch: target.batch, status: target.status, reason: target.reason };
}

/** ` (failed targets: a, b and 3 more)` for a human line; empty when none failed. */
export function failedTargetsText(targets: StageTargets | null): string {
  if (!targets || targets.failedCount === 0) return '';
  const names = targets.failed.map((t) => t.name).join(', ');
  const more = targets.failedCount - targets.failed.length;
  return ` (failed target${targets.failedCount === 1 ? '' : 's'}: ${names}${more > 0 ? ` and ${more} more` : ''})`;
}
