import type { Plan, Stage } from '../plan/types.js';
import { commandFailure, runPlanCommand } from './command.js';
import type { EngineDeps } from './deps.js';
import type { EmitInput } from './events.js';

export interface RollbackOutcome {
  ok: boolean;
  /** Stages whose rollback failed (all deployed stages when the plan-level rollback failed). */
  failedStages: string[];
  interrupted: boolean;
  /** True when nothing had a rollback command, so nothing was undone. */
  nothingToDo: boolean;
}

/**
 * Undoes `deployed` (in deploy order), newest first. With a plan-level `rollback` that one command
 * runs once instead. A failing rollback does not stop the others: leaving more deployed than
 * necessary is the worse outcome, and the exit code (3) already says a human must look.
 */
export async function rollBack(plan: Plan, deployed: readonly Stage[], deps: EngineDeps, emit: EmitInput): Promise<RollbackOutcome> {
  const newestFirst = [...deployed].reverse();
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
    for (const stage of newestFirst) {
      if (deps.signal.aborted) {
        interrupted = true;
        break;
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
  emit({ type: 'rollback.finished', ok, failedStages });
  return { ok, failedStages, interrupted, nothingToDo: false };

  function skip(stage: Stage) {
    emit({ type: 'rollback.step.skipped', stage: stage.name, index: stage.index, reason: 'no rollback command' });
  }
}

function withoutAborted<T extends { aborted: boolean }>(outcome: T): Omit<T, 'aborted'> {
  const { aborted: _aborted, ...rest } = outcome;
  return rest;
}
