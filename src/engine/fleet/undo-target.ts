import type { Fleet, Plan, Stage, Target } from '../../plan/types.js';
import { commandFailure } from '../command.js';
import type { EngineDeps } from '../deps.js';
import type { EmitInput } from '../events.js';
import { runTargetCommand, targetAt } from './target-command.js';

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
  await emit({ type: 'rollback.step.started', ...at, command: stage.rollback });
  const outcome = await runTargetCommand(
    plan,
    stage,
    targetAt(fleet, target),
    { command: stage.rollback, phase: 'rollback', timeoutMs: stage.timeoutMs },
    deps,
    emit,
  );
  const { aborted, ...result } = outcome;
  await emit({ type: 'rollback.step.finished', ...at, stages: [], ...result });
  return { ok: commandFailure('rollback', outcome, stage.timeoutMs) === null, interrupted: aborted };
}
