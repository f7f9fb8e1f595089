import type { Plan, Stage } from '../plan/types.js';
import type { UnitRef } from '../run/ref.js';
import { commandFailure, runPlanCommand } from './command.js';
import type { EngineDeps } from './deps.js';
import type { EmitInput } from './events.js';
import { undoTarget } from './fleet/undo-target.js';

export interface RollbackOutcome {
  ok: boolean;
  /** Stages whose rollback failed (all deployed stages when the plan-level rollback failed). */
  failedStages: string[];
  interrupted: boolean;
  /** True when nothing had a rollback command, so nothing was undone. */
  nothingToDo: boolean;
}

/**
 * Undoes `units` (in deploy order: stages, and a fleet stage's targets one by one), newest first —
 * a fleet's targets `maxParallel` at a time. With a plan-level `rollback` that one command runs
 * once instead. A failing rollback does not stop the others: leaving more deployed than necessary
 * is the worse outcome, and the exit code (3) already says a human must look.
 */
export async function rollBack(plan: Plan, units: readonly UnitRef[], deps: EngineDeps, emit: EmitInput): Promise<RollbackOutcome> {
  const stageOf = (ref: UnitRef) => plan.stages.find((s) => s.name === ref.stage);
  const newestUnits = [...units].reverse().filter((ref) => stageOf(ref) !== undefined);
  // The stages being undone, newest first, each once.
  const newestFirst = [...new Set(newestUnits.map(stageOf))].filter((s): s is Stage => s !== undefined);
  const newest = newestFirst[0];
  if (!newest) return { ok: true, failedStages: [], interrupted: false, nothingToDo: true };
  if (plan.rollback === null && newestFirst.every((stage) => stage.rollback === null)) {
    for (const stage of newestFirst) skip(stage);
    return { ok: true, failedStages: [], interrupted: false, nothingToDo: true };
  }

  await emit({ type: 'rollback.started', scope: plan.rollback !== null ? 'plan' : 'stages', stages: newestFirst.map((s) => s.name) });
  const failedStages: string[] = [];
  let interrupted = false;

  if (plan.rollback !== null) {
    const names = newestFirst.map((s) => s.name);
    await emit({ type: 'rollback.step.started', stage: null, index: null, command: plan.rollback });
    const outcome = await runPlanCommand(
      plan,
      { command: plan.rollback, phase: 'rollback', stage: newest, eventStage: null, timeoutMs: plan.rollbackTimeoutMs },
      deps,
      emit,
    );
    emit({ type: 'rollback.step.finished', stage: null, index: null, stages: names, ...withoutAborted(outcome) });
    interrupted = outcome.aborted;
    if (commandFailure('rollback', outcome, plan.rollbackTimeoutMs) !== null) failedStages.push(...names);
  } else {
    for (const group of groupTargets(newestUnits)) {
      if (deps.signal.aborted) {
        interrupted = true;
        break;
      }
      const stage = stageOf(group[0] as UnitRef) as Stage;
      if (stage.fleet !== null && group[0]?.target !== undefined) {
        const fleet = stage.fleet;
        const outcomes = await inParallel(group, fleet.maxParallel, async (ref) => {
          const target = fleet.targets.find((t) => t.name === ref.target);
          return target ? undoTarget(plan, stage, fleet, target, deps, emit) : { ok: true, interrupted: false };
        });
        if (outcomes.some((o) => o.interrupted)) interrupted = true;
        if (stage.rollback !== null && outcomes.some((o) => !o.ok)) failedStages.push(stage.name);
        continue;
      }
      if (stage.rollback === null) {
        skip(stage);
        continue;
      }
      await emit({ type: 'rollback.step.started', stage: stage.name, index: stage.index, command: stage.rollback });
      const outcome = await runPlanCommand(
        plan,
        { command: stage.rollback, phase: 'rollback', stage, eventStage: stage.name, timeoutMs: stage.timeoutMs },
        deps,
        emit,
      );
      emit({ type: 'rollback.step.finished', stage: stage.name, index: stage.index, stages: [stage.name], ...withoutAborted(outcome) });
      if (outcome.aborted) interrupted = true;
      if (commandFailure('rollback', outcome, stage.timeoutMs) !== null) failedStages.push(stage.name);
    }
  }

  const ok = failedStages.length === 0 && !interrupted;
  const failed = [...new Set(failedStages)];
  emit({ type: 'rollback.finished', ok, failedStages: failed });
  return { ok, failedStages: failed, interrupted, nothingToDo: false };

  function skip(stage: Stage) {
    emit({ type: 'rollback.step.skipped', stage: stage.name, index: stage.index, reason: 'no rollback command' });
  }
}

/** Consecutive target units of one stage go together (undone side by side); any other unit alone. */
function groupTargets(units: readonly UnitRef[]): UnitRef[][] {
  const groups: UnitRef[][] = [];
  for (const ref of units) {
    const last = groups.at(-1);
    if (ref.target !== undefined && last?.[0]?.target !== undefined && last[0].stage === ref.stage) last.push(ref);
    else groups.push([ref]);
  }
  return groups;
}

/** Runs `work` over `items`, at most `limit` at a time, starting them in order. */
async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < items.length) {
      const i = nextIndex++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function withoutAborted<T extends { aborted: boolean }>(outcome: T): Omit<T, 'aborted'> {
  const { aborted: _aborted, ...rest } = outcome;
  return rest;
}
