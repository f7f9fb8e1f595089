import type { ChalkInstance } from 'chalk';
import type { StageState, TargetState, TargetStatus } from '../state/document.js';

/**
 * How readers group a fleet stage's targets: the words a person reads at 3 a.m. A target that
 * failed stays `failed` whatever happened to it next (its rollback is said beside it), so a
 * failure never disappears from a count because it was undone.
 */
export type TargetGroup = 'failed' | 'rollback failed' | 'rolling back' | 'in progress' | 'updated' | 'rolled back' | 'pending' | 'skipped';

/** In the order readers list them: what needs a look first, what is settled last. */
export const GROUP_ORDER: readonly TargetGroup[] = ['failed', 'rollback failed', 'rolling back', 'in progress', 'updated', 'rolled back', 'pending', 'skipped'];

/** Groups whose targets are named one by one (the others are counted: with 500 targets, names would drown them). */
export const NAMED_GROUPS: ReadonlySet<TargetGroup> = new Set(['failed', 'rollback failed', 'rolling back', 'in progress']);

/** A status's group, for a target that did not fail (a failed one is `failed`, see `groupOf`). */
const GROUP = {
  pending: 'pending',
  deploying: 'in progress',
  verifying: 'in progress',
  soaking: 'in progress',
  updated: 'updated',
  failed: 'failed',
  rolling_back: 'rolling back',
  rolled_back: 'rolled back',
  rollback_failed: 'rollback failed',
  skipped: 'skipped',
} as const satisfies Record<TargetStatus, TargetGroup>;

export function groupOf(target: TargetState): TargetGroup {
  return target.failed ? 'failed' : GROUP[target.status];
}

/** What a target in flight is doing, in a word (`deploying`, `verifying`, `soaking`, `rolling back`). */
export function targetStep(target: TargetState): string {
  return target.status.replace('_', ' ');
}

export type GroupCounts = Record<TargetGroup, number>;

export function countGroups(targets: readonly TargetState[]): GroupCounts {
  const counts = Object.fromEntries(GROUP_ORDER.map((group) => [group, 0])) as GroupCounts;
  for (const target of targets) counts[groupOf(target)]++;
  return counts;
}

export function targetsOfBatch(stage: StageState, batch: number): TargetState[] {
  return (stage.targets ?? []).filter((t) => t.batch === batch);
}

/**
 * One batch (or a whole stage) in words: `3 of 4 updated, 1 failed`, then what is not settled
 * (`2 in progress, 5 pending`). Updated always shows, as the fraction of the targets; the other
 * groups only when they have any.
 */
export function progressText(targets: readonly TargetState[]): string {
  const counts = countGroups(targets);
  const parts = [`${counts.updated} of ${targets.length} updated`];
  for (const group of GROUP_ORDER) if (group !== 'updated' && counts[group] > 0) parts.push(`${counts[group]} ${group}`);
  return parts.join(', ');
}

/**
 * The failure budget after a batch, as `batch.finished` says it (null: no limit on the total).
 * Said as failures still tolerated, because that is the question at a failure: how many more
 * before the stage stops.
 */
export function budgetText(budgetLeft: number | null | undefined, tolerated?: number): string {
  if (budgetLeft === null || budgetLeft === undefined) return '';
  if (budgetLeft < 0) return ' (failure budget exceeded)';
  if (tolerated !== undefined) return ` (failure budget: ${budgetLeft} of ${tolerated} left)`;
  if (budgetLeft === 0) return ' (failure budget: no more failures tolerated)';
  return ` (failure budget: ${budgetLeft} more failure${budgetLeft === 1 ? '' : 's'} tolerated)`;
}

/** `batch 2/4: 3 of 4 updated, 1 failed (failure budget: …)`: one batch of a fleet stage, as the document has it. */
export function batchLine(stage: StageState, batch: number, options: { done?: boolean; budgetLeft?: number | null; tolerated?: number } = {}): string {
  const head = `batch ${batch}/${stage.fleet?.batches ?? '?'}${options.done ? ' done' : ''}`;
  return `${head}: ${progressText(targetsOfBatch(stage, batch))}${budgetText(options.budgetLeft, options.tolerated)}`;
}

/** Names, at most `max` of them, then how many more: a list that stays one readable line. */
export function nameList(names: readonly string[], max = 8): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/**
 * A batch as a bar of `width` cells: `█` updated, `×` failed, `▒` in flight, `░` still to do —
 * shapes as well as colours, so it reads under NO_COLOR too. A group with any target gets at
 * least one cell: one failure among 500 must show.
 */
export function progressBar(targets: readonly TargetState[], c: ChalkInstance, width = 20): string {
  const counts = countGroups(targets);
  const failed = counts.failed + counts['rollback failed'];
  const busy = counts['in progress'] + counts['rolling back'];
  const total = Math.max(1, targets.length);
  const cells = (n: number) => (n === 0 ? 0 : Math.max(1, Math.round((n / total) * width)));
  const done = Math.min(cells(counts.updated), width - cells(failed) - cells(busy));
  const rest = Math.max(0, width - done - cells(failed) - cells(busy));
  return `${c.green('█'.repeat(Math.max(0, done)))}${c.red('×'.repeat(cells(failed)))}${c.cyan('▒'.repeat(cells(busy)))}${c.dim('░'.repeat(rest))}`;
}

/** ` (failed: eu-3, eu-4)` after a fleet stage's failure reason, unless the reason names them already. */
export function failedTargetsText(event: { reason: string; failedTargets?: string[] }): string {
  const failed = event.failedTargets ?? [];
  return failed.length > 0 && !failed.every((t) => event.reason.includes(t)) ? ` (failed: ${nameList(failed)})` : '';
}
