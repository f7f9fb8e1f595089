import type { Plan, Stage } from '../plan/types.js';
import type { EngineDeps } from './deps.js';
import type { EmitInput } from './events.js';
import { type SoakOutcome, soakCheck, soakStage } from './soak.js';

/**
 * The soak action's watching part: announce the unit's checks, soak it (src/engine/soak.ts), and
 * say the stage passed or failed. What follows a pass (its pause and gate) is the loop's.
 */
export async function soakUnit(plan: Plan, stage: Stage, deps: EngineDeps, emit: EmitInput, elapsed: () => number): Promise<SoakOutcome> {
  emit({ type: 'soak.started', stage: stage.name, index: stage.index, soakMs: stage.soakMs, checks: stage.checks.map(soakCheck) });
  const soak = await soakStage(stage, deps, emit, plan);
  if (soak.kind === 'failed') {
    const { reason, check, value } = soak;
    emit({ type: 'stage.failed', stage: stage.name, index: stage.index, reason, durationMs: elapsed(), check, value });
  } else if (soak.kind === 'passed') {
    emit({ type: 'stage.passed', stage: stage.name, index: stage.index, durationMs: elapsed(), inconclusive: soak.inconclusive });
  }
  return soak;
}
