import type { Fleet } from '../plan/types.js';
import type { StageState, TargetState, TargetStatus } from '../state/document.js';
import type { Action, Drive } from './actions.js';
import { failuresExceeded, minHealthyAfter, minHealthyBefore } from './budget.js';
import { isInFlight } from './targets.js';
import { unitKey } from './unit-key.js';

/** Target statuses with nothing left to do in their batch (a failed target's own rollback aside: `awaitsUndo`). */
const SETTLED = {
  pending: false,
  deploying: false,
  verifying: false,
  soaking: false,
  updated: true,
  failed: true,
  rolling_back: false,
  rolled_back: true,
  rollback_failed: true,
  skipped: true,
} as const satisfies Record<TargetStatus, boolean>;

/**
 * What a fleet stage at its batches may start now (pure, like `next`, which calls it). Batches run
 * one after another; inside the batch under way, up to `maxParallel` targets run at once (a target
 * found mid-turn, left by a process that died, is deployed again first). A budget exceeded starts
 * nothing new: the targets still running finish, then the stage fails. A batch whose targets are
 * all settled bakes; every batch finished, the stage passed. `fleet` is null when only the
 * document is known (`status` asks where a run is): then no budget is applied and no limit.
 */
export function fleetActions(fleet: Fleet | null, stage: StageState, drive: Drive): Action[] {
  const ref = { stage: stage.name };
  const cursor = stage.fleet ?? { batches: 0, batch: 0, finished: 0 };
  const targets = stage.targets ?? [];
  const running = new Set(drive.running);
  const isRunning = (t: TargetState) => running.has(unitKey({ stage: stage.name, target: t.name }));
  const busy = targets.filter(isRunning).length;

  if (cursor.batch <= cursor.finished) {
    if (busy > 0) return [];
    if (cursor.finished >= cursor.batches) return [{ kind: 'fleet-pass', ref }];
    const batch = cursor.finished + 1;
    const unhealthy = fleet && minHealthyBefore(fleet, stage, batch);
    if (unhealthy) return [{ kind: 'fleet-fail', ref, reason: unhealthy.reason, budget: unhealthy.rule }];
    return [{ kind: 'batch', ref, batch }];
  }

  const inBatch = targets.filter((t) => t.batch === cursor.batch && !isRunning(t));
  const actions: Action[] = inBatch.filter((t) => awaitsUndo(fleet, t)).map((t) => ({ kind: 'target-undo', ref: { stage: stage.name, target: t.name } }));
  const exceeded = fleet && failuresExceeded(fleet, stage);
  if (exceeded) {
    if (busy > 0 || actions.length > 0) return actions;
    return [{ kind: 'fleet-fail', ref, reason: exceeded.reason, budget: exceeded.rule }];
  }
  const room = (fleet?.maxParallel ?? Number.POSITIVE_INFINITY) - busy - actions.length;
  const turns = [...inBatch.filter(isInFlight), ...inBatch.filter((t) => t.status === 'pending')].slice(0, Math.max(0, room));
  for (const t of turns) actions.push({ kind: 'target', ref: { stage: stage.name, target: t.name } });
  if (actions.length > 0 || busy > 0) return actions;
  if (!inBatch.every((t) => SETTLED[t.status])) return [];
  const unhealthy = fleet && minHealthyAfter(fleet, stage);
  if (unhealthy) return [{ kind: 'fleet-fail', ref, reason: unhealthy.reason, budget: unhealthy.rule }];
  return [{ kind: 'bake', ref, batch: cursor.batch }];
}

/**
 * A target that failed and is to be rolled back on its own, whose rollback never ran or was cut
 * short (`rolling_back` found: the process died during it).
 */
function awaitsUndo(fleet: Fleet | null, target: TargetState): boolean {
  if (target.status === 'rolling_back') return true;
  if (fleet === null || fleet.onTargetFailure === 'keep') return false;
  return target.status === 'failed' && target.rollback.command === null && target.rollback.skipped === null;
}

/** The targets whose deploy started and that are not undone, in the order they started. */
export function deployedTargets(stage: StageState): TargetState[] {
  const order = (t: TargetState) => t.startedAt ?? '';
  return (stage.targets ?? [])
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => t.status !== 'pending' && t.status !== 'rolled_back' && t.status !== 'skipped')
    .sort((a, b) => (order(a.t) < order(b.t) ? -1 : order(a.t) > order(b.t) ? 1 : a.i - b.i))
    .map(({ t }) => t);
}
