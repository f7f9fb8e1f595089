import type { RolloutEvent } from '../engine/events.js';
import type { StageState, StateDocument, TargetState } from '../state/document.js';
import type { Change } from './reduce.js';
import { shortText } from './reduce.js';
import { isTargetDeployed, pendingTarget } from './targets.js';

/*
 * The fold of the events about a fleet stage's batches and targets (src/run/reduce.ts hands them
 * here): each target's own record, and the stage's batch cursor.
 */

type FleetEvent = Extract<
  RolloutEvent,
  { type: 'batch.started' | 'target.started' | 'verify.finished' | 'target.passed' | 'target.failed' | 'target.retrying' | 'batch.baking' | 'batch.finished' }
>;

export function applyFleetEvent(doc: StateDocument, stage: StageState | undefined, target: TargetState | undefined, event: FleetEvent): Change {
  switch (event.type) {
    case 'batch.started':
      if (stage?.fleet) stage.fleet.batch = event.batch;
      return 'transition';
    case 'target.started':
      if (target) {
        Object.assign(target, {
          status: 'deploying',
          startedAt: event.time,
          finishedAt: null,
          attempts: target.attempts + 1,
          reason: null,
          failed: false,
          verify: null,
        });
        Object.assign(target, {
          deploy: pendingTarget('', 0).deploy,
          checkResults: pendingTarget('', 0).checkResults,
          rollback: pendingTarget('', 0).rollback,
        });
      }
      return 'transition';
    case 'verify.finished':
      if (target) target.verify = { ok: event.ok, output: shortText(event.output) ?? '', expected: event.expected };
      return 'transition';
    case 'target.passed':
      if (target) Object.assign(target, { status: 'updated', finishedAt: event.time });
      return 'transition';
    case 'target.failed':
      if (target) Object.assign(target, { status: 'failed', failed: true, reason: shortText(event.reason), finishedAt: event.time });
      return 'transition';
    case 'target.retrying':
      if (target) Object.assign(target, { status: 'pending', reason: null, failed: false });
      if (stage?.fleet && target) stage.fleet.batch = Math.min(stage.fleet.batch, target.batch - 1);
      if (stage?.fleet && target) stage.fleet.finished = Math.min(stage.fleet.finished, target.batch - 1);
      if (stage && (stage.status === 'failed' || stage.status === 'succeeded'))
        Object.assign(stage, { status: 'deploying', step: 'batches', finishedAt: null });
      if (doc.failure?.stage === stage?.name) doc.failure = null;
      // The stages the failure left undone go again after it.
      for (const later of doc.stages.slice((event.index ?? 0) + 1)) if (later.status === 'skipped') Object.assign(later, { status: 'pending', step: 'window' });
      return 'transition';
    case 'batch.baking':
      return 'progress';
    case 'batch.finished':
      if (stage?.fleet) stage.fleet.finished = event.batch;
      return 'transition';
  }
}

/** A fleet stage's document: its batches and each target, pending. */
export function withTargets(stage: StageState, batches: string[][] | undefined): StageState {
  if (batches === undefined) return stage;
  stage.fleet = { batches: batches.length, batch: 0, finished: 0 };
  stage.targets = batches.flatMap((names, i) => names.map((name) => pendingTarget(name, i + 1)));
  return stage;
}

/** A fleet stage being undone is undone once none of its targets is deployed any more. */
export function settleFleetUndo(stage: StageState): void {
  if (stage.status !== 'rolling_back' || !stage.targets) return;
  const left = stage.targets.filter((t) => t.status === 'rolling_back' || isTargetDeployed(t));
  if (left.some((t) => t.status !== 'rollback_failed')) return; // still being undone
  stage.status = left.length === 0 ? 'rolled_back' : 'rollback_failed';
}
