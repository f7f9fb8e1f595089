import { amountOf, showAmount } from '../plan/fleet/amount.js';
import type { Amount, Fleet } from '../plan/types.js';
import type { StageState, TargetState, TargetStatus } from '../state/document.js';

/**
 * A fleet stage's failure budget (docs/fleets.md), as pure rules over the document:
 * - `perBatch` and `total` are the failures *tolerated*: the budget is exceeded on failure N+1. A
 *   percentage of a tolerance rounds down (`total: "10%"` of 25 targets tolerates 2, exceeded on the 3rd).
 * - `minHealthy` is the fewest healthy targets (a percentage rounds up). Healthy: not failed and left
 *   failed, and not being deployed. Checked before a batch starts (counting the batch as out of
 *   service) and after it ends.
 * A target that failed counts against the budget even once it is rolled back.
 */
export type BudgetRule = 'perBatch' | 'total' | 'minHealthy';
export interface Exceeded {
  rule: BudgetRule;
  reason: string;
}

/** Failures tolerated: a count, or a percentage of `of` rounded down. */
export function tolerated(amount: Amount, of: number): number {
  return amountOf(amount, of, 'down');
}

/** A floor: a count, or a percentage of `of` rounded up. */
function atLeast(amount: Amount, of: number): number {
  return amountOf(amount, of, 'up');
}

/** Statuses that keep a target out of service: left failed, or being deployed or undone. */
const OUT_OF_SERVICE = {
  pending: false,
  deploying: true,
  verifying: true,
  soaking: true,
  updated: false,
  failed: true,
  rolling_back: true,
  rolled_back: false,
  rollback_failed: true,
  skipped: false,
} as const satisfies Record<TargetStatus, boolean>;

export function healthyCount(targets: readonly TargetState[]): number {
  return targets.filter((t) => !OUT_OF_SERVICE[t.status]).length;
}

export function failedCount(targets: readonly TargetState[]): number {
  return targets.filter((t) => t.failed).length;
}

/** Failures still tolerated over the stage. */
export function budgetLeft(fleet: Fleet, stage: StageState): number {
  const targets = stage.targets ?? [];
  return Math.max(0, tolerated(fleet.budget.total, targets.length) - failedCount(targets));
}

/** `perBatch` and `total`, as the batch under way stands. */
export function failuresExceeded(fleet: Fleet, stage: StageState): Exceeded | null {
  const targets = stage.targets ?? [];
  const batch = stage.fleet?.batch ?? 0;
  const inBatch = targets.filter((t) => t.batch === batch);
  const { perBatch, total } = fleet.budget;
  if (perBatch !== null) {
    const allowed = tolerated(perBatch, inBatch.length);
    const failed = failedCount(inBatch);
    if (failed > allowed) {
      return {
        rule: 'perBatch',
        reason: `failure budget exceeded: ${plural(failed, 'target')} failed in batch ${batch}, which tolerates ${allowed} (perBatch: ${showAmount(perBatch)})`,
      };
    }
  }
  const allowed = tolerated(total, targets.length);
  const failed = failedCount(targets);
  if (failed > allowed) {
    return {
      rule: 'total',
      reason: `failure budget exceeded: ${plural(failed, 'target')} failed, the stage tolerates ${allowed} of ${targets.length} (total: ${showAmount(total)})`,
    };
  }
  return null;
}

/** `minHealthy` before batch `batch` starts: its targets go out of service while they deploy. */
export function minHealthyBefore(fleet: Fleet, stage: StageState, batch: number): Exceeded | null {
  const floor = fleet.budget.minHealthy;
  if (floor === null) return null;
  const targets = stage.targets ?? [];
  const need = atLeast(floor, targets.length);
  const size = targets.filter((t) => t.batch === batch).length;
  const left = healthyCount(targets) - size;
  if (left >= need) return null;
  return {
    rule: 'minHealthy',
    reason: `minHealthy would not hold: starting batch ${batch} (${plural(size, 'target')}) would leave ${left} of ${targets.length} healthy, fewer than ${need} (minHealthy: ${showAmount(floor)})`,
  };
}

/** `minHealthy` after a batch ended. */
export function minHealthyAfter(fleet: Fleet, stage: StageState): Exceeded | null {
  const floor = fleet.budget.minHealthy;
  if (floor === null) return null;
  const targets = stage.targets ?? [];
  const need = atLeast(floor, targets.length);
  const healthy = healthyCount(targets);
  if (healthy >= need) return null;
  return {
    rule: 'minHealthy',
    reason: `minHealthy does not hold: ${healthy} of ${targets.length} targets healthy after batch ${stage.fleet?.batch ?? 0}, fewer than ${need} (minHealthy: ${showAmount(floor)})`,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
