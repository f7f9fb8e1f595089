import type { RunStatus } from '../engine/events.js';
import { lastMeasurement, type StageState, type TargetState } from '../state/document.js';
import { countGroups, GROUP_ORDER, type GroupCounts, groupOf, NAMED_GROUPS, progressText, type TargetGroup, targetStep } from './fleet-progress.js';

/**
 * A fleet stage as `rollout status` and the job summaries show it, read from the document: its
 * batches (runs of alike batches merged, so 50 batches of which 48 are done or untouched take
 * three rows), and its targets by group — the ones that need a look named with why, the rest
 * counted. Plain data: each renderer escapes and formats it its own way.
 */
export interface FleetView {
  stage: string;
  total: number;
  counts: GroupCounts;
  /** `batch 2 of 4 under way`, `3 batches done`: where the stage is, in words. */
  where: string;
  batches: BatchRow[];
  /** Named groups with their targets (failed, rollback failed, rolling back, in progress), in that order; empty ones left out. */
  named: { group: TargetGroup; targets: { name: string; detail: string }[] }[];
  /** The other groups' counts (updated, rolled back, pending, skipped), in order; empty ones left out. */
  counted: { group: TargetGroup; count: number }[];
}

export interface BatchRow {
  /** `1`, or `3–50` for merged batches. */
  batches: string;
  targets: number;
  /** `3 of 4 updated, 1 failed`; merged rows say what they all are: `all 120 updated`, `480 pending`. */
  text: string;
}

/** `running`: the run's status, when known; a stage of a run that is not running has stopped wherever it is. */
export function fleetView(stage: StageState, runStatus: RunStatus = 'running'): FleetView | null {
  if (!stage.targets || !stage.fleet) return null;
  const targets = stage.targets;
  const counts = countGroups(targets);
  return {
    stage: stage.name,
    total: targets.length,
    counts,
    where: whereText(stage, runStatus),
    batches: batchRows(stage),
    named: GROUP_ORDER.filter((g) => NAMED_GROUPS.has(g))
      .map((group) => ({ group, targets: targets.filter((t) => groupOf(t) === group).map((t) => ({ name: t.name, detail: detailOf(t) })) }))
      .filter((g) => g.targets.length > 0),
    counted: GROUP_ORDER.filter((g) => !NAMED_GROUPS.has(g) && counts[g] > 0).map((group) => ({ group, count: counts[group] })),
  };
}

function whereText(stage: StageState, runStatus: RunStatus): string {
  const fleet = stage.fleet;
  if (!fleet) return '';
  const batches = `${fleet.batches} batch${fleet.batches === 1 ? '' : 'es'}`;
  if (fleet.batch === 0) return `${batches}, none started`;
  if (fleet.finished >= fleet.batches) return `${batches}, all done`;
  // A stage that stopped (failed, rolled back) or whose run did (interrupted) mid-batch is not under way any more.
  if (fleet.batch > fleet.finished)
    return `batch ${fleet.batch} of ${fleet.batches} ${stage.status === 'deploying' && runStatus === 'running' ? 'under way' : 'stopped'}`;
  return `${fleet.finished} of ${batches} done`;
}

/** Why a target needs a look, and what became of it: `deploy failed: exit 1 (rolled back)`, `soaking`. */
function detailOf(target: TargetState): string {
  if (!target.failed) return target.status === 'soaking' ? `soaking${checksText(target)}` : targetStep(target);
  const after = {
    failed: target.rollback.skipped ? `not rolled back: ${target.rollback.skipped}` : 'left as it is',
    rolling_back: 'rolling back',
    rolled_back: 'rolled back',
    rollback_failed: 'its rollback failed too',
  } as Partial<Record<TargetState['status'], string>>;
  const reason = target.reason ?? 'failed';
  const what = after[target.status];
  return what ? `${reason} (${what})` : reason;
}

/** Each batch's row; consecutive batches alike in a settled way (all updated, all pending …) merged into one. */
function batchRows(stage: StageState): BatchRow[] {
  const rows: (BatchRow & { first: number; last: number; uniform: TargetGroup | null })[] = [];
  for (let batch = 1; batch <= (stage.fleet?.batches ?? 0); batch++) {
    const targets = (stage.targets ?? []).filter((t) => t.batch === batch);
    const groups = new Set(targets.map(groupOf));
    const uniform = groups.size === 1 && !NAMED_GROUPS.has([...groups][0] as TargetGroup) ? ([...groups][0] as TargetGroup) : null;
    const previous = rows.at(-1);
    if (uniform && previous?.uniform === uniform) {
      previous.last = batch;
      previous.targets += targets.length;
      continue;
    }
    rows.push({ first: batch, last: batch, uniform, batches: '', targets: targets.length, text: '' });
  }
  return rows.map(({ first, last, uniform, targets }) => ({
    batches: first === last ? String(first) : `${first}–${last}`,
    targets,
    text: uniform === null ? progressText((stage.targets ?? []).filter((t) => t.batch >= first && t.batch <= last)) : uniformText(uniform, targets),
  }));
}

function uniformText(group: TargetGroup, count: number): string {
  if (group === 'updated') return count === 1 ? 'updated' : `all ${count} updated`;
  return `${count} ${group}`;
}

/**
 * Targets sharing the same detail, in the order first seen: 40 targets failing the same way read as
 * one line with their names, not 40 lines saying it again. Null when no two share one (then each
 * target's own line says more).
 */
export function sameDetail(targets: readonly { name: string; detail: string }[]): { detail: string; names: string[] }[] | null {
  const groups = new Map<string, string[]>();
  for (const target of targets) groups.set(target.detail, [...(groups.get(target.detail) ?? []), target.name]);
  return groups.size < targets.length ? [...groups].map(([detail, names]) => ({ detail, names })) : null;
}

/** A soaking target's checks, each with its last measurement (` · healthz ✓ HTTP 200 in 12ms`): why one takes long. */
function checksText(target: TargetState): string {
  const MARK = { pass: '✓', fail: '✗', inconclusive: '?', error: '!' } as const;
  return target.checkResults.checks
    .map((check) => {
      const last = lastMeasurement(check);
      return last ? ` · ${check.name} ${MARK[last.outcome]} ${last.display}` : ` · ${check.name} not measured yet`;
    })
    .join('');
}
