import { formatDuration } from '../duration.js';
import type { Fleet, OnBudgetExceeded } from '../types.js';
import { amountOf } from './amount.js';

/**
 * A fleet stage in words and numbers, for `rollout plan`: its batches, its budget with the stated
 * operators (tolerated failures; exceeded on the next), and the least time it can take.
 */

/**
 * The least time the stage takes: per batch, its targets soak in rounds of `maxParallel`
 * (ceil(batch / maxParallel) × soak), then the bake (`firstBake` after the first batch).
 * Deploy, verify and rollback commands are taken as instant: their time is unknown here.
 */
export function fleetBestCaseMs(fleet: Fleet, soakMs: number): number {
  return fleet.batches.reduce(
    (sum, batch, i) => sum + Math.ceil(batch.length / Math.max(1, fleet.maxParallel)) * soakMs + (i === 0 ? fleet.firstBakeMs : fleet.bakeMs),
    0,
  );
}

/** `eu-1, eu-2, eu-3, …, us-9 (25)`: at most `max` names, the last one always shown. */
export function showBatch(names: readonly string[], max = 8): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max - 1).join(', ')}, …, ${names.at(-1)} (${names.length})`;
}

/** `1st`, `2nd`, `3rd`, `11th`, `22nd`. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

export interface BudgetWords {
  total: string;
  perBatch: string | null;
  minHealthy: string | null;
  onExceeded: string;
}

const ON_EXCEEDED: Record<OnBudgetExceeded, string> = {
  'rollback-stage': "rollback-stage (this stage's changed targets are undone, newest first)",
  'rollback-all': 'rollback-all (the whole run is rolled back)',
  stop: 'stop (targets are left as they are)',
};

/** `tolerates 2 failed of 25 (10%); exceeded on the 3rd`, and the same for the other rules. */
export function describeBudget(fleet: Fleet): BudgetWords {
  const n = fleet.targets.length;
  const { total, perBatch, minHealthy } = fleet.budget;
  const tolerated = amountOf(total, n, 'down');
  const percent = (amount: Fleet['budget']['total']) => ('percent' in amount ? ` (${amount.percent}%)` : '');
  const totalWords =
    tolerated >= n
      ? `tolerates ${n} failed of ${n}${percent(total)}: never exceeded`
      : `tolerates ${tolerated} failed of ${n}${percent(total)}; exceeded on the ${ordinal(tolerated + 1)}`;
  let perBatchWords: string | null = null;
  if (perBatch !== null) {
    if ('count' in perBatch) perBatchWords = `tolerates ${perBatch.count} failed in one batch; exceeded on the ${ordinal(perBatch.count + 1)}`;
    else {
      const sizes = [...new Set(fleet.batches.map((b) => b.length))];
      const each = sizes.map((size) => `${amountOf(perBatch, size, 'down')} of ${size}`).join(', ');
      perBatchWords = `tolerates ${perBatch.percent}% of a batch, rounded down (${each}); exceeded on the next`;
    }
  }
  const minHealthyWords =
    minHealthy === null
      ? null
      : `at least ${amountOf(minHealthy, n, 'up')} of ${n} healthy${percent(minHealthy)}, checked before each batch starts and after it ends`;
  return { total: totalWords, perBatch: perBatchWords, minHealthy: minHealthyWords, onExceeded: ON_EXCEEDED[fleet.onBudgetExceeded] };
}

/** `2m after each batch (10m after the first)`, or `none`. */
export function describeBake(fleet: Fleet): string {
  if (fleet.bakeMs === 0 && fleet.firstBakeMs === 0) return 'none';
  if (fleet.bakeMs === 0) return `${formatDuration(fleet.firstBakeMs)} after the first batch only`;
  const after = `${formatDuration(fleet.bakeMs)} after each batch`;
  return fleet.firstBakeMs === fleet.bakeMs ? after : `${after} (${formatDuration(fleet.firstBakeMs)} after the first)`;
}
