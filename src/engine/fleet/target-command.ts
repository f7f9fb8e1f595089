import type { Fleet, Plan, Stage, Target } from '../../plan/types.js';
import { type CommandRun, runPlanCommand } from '../command.js';
import type { EngineDeps } from '../deps.js';
import type { CommandOutcome, EmitInput, Phase } from '../events.js';

/** Where a target stands in its stage: the target and its batch (1-based), as its commands are told. */
export interface TargetAt {
  target: Target;
  batch: number;
}

export function targetAt(fleet: Fleet, target: Target): TargetAt {
  return { target, batch: fleet.batches.findIndex((names) => names.includes(target.name)) + 1 };
}

/** One of the stage's commands (deploy, verify, rollback) for one target: its environment says which. */
export function runTargetCommand(
  plan: Plan,
  stage: Stage,
  at: TargetAt,
  run: { command: string; phase: Phase; timeoutMs: number; onStdout?: CommandRun['onStdout'] },
  deps: EngineDeps,
  emit: EmitInput,
): Promise<CommandOutcome & { aborted: boolean }> {
  return runPlanCommand(plan, { ...run, stage, eventStage: stage.name, target: at }, deps, emit);
}
