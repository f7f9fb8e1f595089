import { isoTime } from '../../clock.js';
import type { Fleet, Plan, Stage } from '../../plan/types.js';
import { budgetLeft, failedCount, tolerated } from '../../run/budget.js';
import type { StageState } from '../../state/document.js';
import type { EngineDeps } from '../deps.js';
import type { EmitInput } from '../events.js';
import { soakCheck, soakStage } from '../soak.js';

/**
 * After a batch: wait its bake (`firstBake` after the first), measuring the stage's fleet checks
 * meanwhile, then say the batch is finished. A fleet check that fails fails the stage: the fleet as
 * a whole is unhealthy, whatever each target said.
 */
export async function bakeBatch(
  plan: Plan,
  stage: Stage,
  fleet: Fleet,
  batch: number,
  state: () => StageState | undefined,
  deps: EngineDeps,
  emit: EmitInput,
  elapsed: () => number,
): Promise<'baked' | 'failed' | 'interrupted'> {
  const at = { stage: stage.name, index: stage.index };
  const bakeMs = batch === 1 ? fleet.firstBakeMs : fleet.bakeMs;
  if (bakeMs > 0 || fleet.fleetChecks.length > 0) {
    await emit({ type: 'batch.baking', ...at, batch, bakeMs, until: isoTime(deps.clock.now() + bakeMs) });
    await emit({ type: 'soak.started', ...at, soakMs: bakeMs, checks: fleet.fleetChecks.map(soakCheck) });
    const soak = await soakStage({ ...stage, checks: fleet.fleetChecks, soakMs: bakeMs }, deps, emit, {
      onInconclusive: plan.onInconclusive === 'fail' ? 'fail' : 'pass',
    });
    if (soak.kind === 'interrupted') return 'interrupted';
    if (soak.kind === 'failed') {
      await emit({
        type: 'stage.failed',
        ...at,
        reason: `after batch ${batch}: ${soak.reason}`,
        durationMs: elapsed(),
        check: soak.check,
        value: soak.value,
        failedTargets: failedNames(state()),
      });
      return 'failed';
    }
  }
  const targets = state()?.targets ?? [];
  const inBatch = targets.filter((t) => t.batch === batch);
  await emit({
    type: 'batch.finished',
    ...at,
    batch,
    batches: fleet.batches.length,
    updated: inBatch.filter((t) => t.status === 'updated').length,
    failed: failedCount(inBatch),
    budgetLeft: state() ? budgetLeft(fleet, state() as StageState) : null,
    tolerated: tolerated(fleet.budget.total, targets.length),
  });
  return 'baked';
}

export function failedNames(stage: StageState | undefined): string[] {
  return (stage?.targets ?? []).filter((t) => t.failed).map((t) => t.name);
}
