import type { Fleet, Plan, Stage, Target } from '../../plan/types.js';
import { commandFailure, runPlanCommand } from '../command.js';
import type { EngineDeps } from '../deps.js';
import type { EmitInput } from '../events.js';

/**
 * Rolls one target back with its stage's `rollback:` command (the target in its environment).
 * Without one there is nothing to run: said as skipped, and the target stays as it is. Returns
 * whether it is undone.
 */
export async function undoTarget(
  plan: Plan,
  stage: Stage,
  fleet: Fleet,
  target: Target,
  deps: EngineDeps,
  emit: EmitInput,
): Promise<{ ok: boolean; interrupted: boolean }> {
  const at = { stage: stage.name, index: stage.index, target: target.name };
  if (stage.rollback === null) {
    await emit({ type: 'rollback.step.skipped', ...at, reason: 'no rollback command' });
    return { ok: false, interrupted: false };
  }
  const batch = fleet.batches.findIndex((names) => names.includes(target.name)) + 1;
  await emit({ type: 'rollback.step.started', ...at, command: stage.rollback });
  const outcome = await runPlanCommand(
    plan,
    { command: stage.rollback, phase: 'rollback', stage, eventStage: stage.name, timeoutMs: stage.timeoutMs, target: { target, batch } },
    deps,
    emit,
  );
  const { aborted, ...result } = outcome;
  await emit({ type: 'rollback.step.finished', ...at, stages: [], ...result });
  return { ok: commandFailure('rollback', outcome, stage.timeoutMs) === null, interrupted: aborted };
}
