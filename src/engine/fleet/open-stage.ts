import type { Plan, Stage } from '../../plan/types.js';
import type { EngineDeps } from '../deps.js';
import type { EmitInput } from '../events.js';
import { awaitWindow, type WindowOverride } from '../window-gate.js';

/**
 * A fleet stage's start: its deploy window is checked once, for the stage (a window that closes
 * mid-stage lets the batches under way finish: stopping half a fleet is the worse outcome), then
 * `stage.started`. Its targets' deploys are the batches' (target-turn.ts).
 */
export async function openFleetStage(
  plan: Plan,
  stage: Stage,
  deps: EngineDeps,
  emit: EmitInput,
  override: WindowOverride | null,
): Promise<'opened' | 'stopped' | 'interrupted'> {
  const window = await awaitWindow(plan, stage, deps, emit, override);
  if (window.kind === 'interrupted') return 'interrupted';
  if (window.kind !== 'open') return 'stopped';
  await emit({ type: 'stage.started', stage: stage.name, index: stage.index });
  return 'opened';
}
