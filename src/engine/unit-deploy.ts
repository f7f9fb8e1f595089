import type { Plan, Stage } from '../plan/types.js';
import { commandFailure, runPlanCommand } from './command.js';
import type { EngineDeps } from './deps.js';
import type { EmitInput } from './events.js';
import { awaitWindow, type WindowOverride } from './window-gate.js';

/**
 * The deploy action: check the unit's window at the moment it is about to start (not when the run
 * began, so a long rollout cannot carry a stage into a freeze), then run its deploy command.
 * `stopped` says the run stops before it (a window blocked it or opened a gate); a failed deploy is
 * said as `stage.failed`. The document tells which; the loop needs only to know it may go on.
 */
export async function deployUnit(
  plan: Plan,
  stage: Stage,
  deps: EngineDeps,
  emit: EmitInput,
  override: WindowOverride | null,
  elapsed: () => number,
): Promise<'deployed' | 'failed' | 'stopped' | 'interrupted'> {
  const window = await awaitWindow(plan, stage, deps, emit, override);
  if (window.kind === 'interrupted') return 'interrupted';
  if (window.kind !== 'open') return 'stopped';
  emit({ type: 'stage.started', stage: stage.name, index: stage.index });
  await emit({ type: 'deploy.started', stage: stage.name, index: stage.index, command: stage.deploy });
  const outcome = await runPlanCommand(plan, { command: stage.deploy, phase: 'deploy', stage, eventStage: stage.name, timeoutMs: stage.timeoutMs }, deps, emit);
  const { aborted, ...result } = outcome;
  emit({ type: 'deploy.finished', stage: stage.name, index: stage.index, ...result });
  if (aborted) return 'interrupted';
  const failure = commandFailure('deploy', outcome, stage.timeoutMs);
  if (failure === null) return 'deployed';
  emit({ type: 'stage.failed', stage: stage.name, index: stage.index, reason: failure, durationMs: elapsed(), check: null, value: null });
  return 'failed';
}
