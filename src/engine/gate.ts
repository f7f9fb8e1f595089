import { isoTime } from '../clock.js';
import type { Plan, Stage } from '../plan/types.js';
import { type EngineDeps, gateId } from './deps.js';
import type { EmitInput, Gate } from './events.js';

/**
 * What follows a passed stage: its `pause:` (an interruptible wait), then a gate when the stage
 * asks for approval or (with `onInconclusive: pause`) its checks could not tell. A gate stops the
 * run; `rollout promote` / `rollout abort` continue it, from this process's successor.
 */
export async function afterStage(
  plan: Plan,
  stage: Stage,
  inconclusive: string[],
  deps: EngineDeps,
  emit: EmitInput,
): Promise<{ kind: 'go' } | { kind: 'gate'; gate: Gate } | { kind: 'interrupted' }> {
  const last = stage.index === plan.stages.length - 1;
  if (stage.pauseMs > 0 && !last) {
    emit({ type: 'stage.pausing', stage: stage.name, index: stage.index, pauseMs: stage.pauseMs, until: isoTime(deps.clock.now() + stage.pauseMs) });
    await deps.clock.sleep(stage.pauseMs, deps.signal);
    if (deps.signal.aborted) return { kind: 'interrupted' };
  }
  const unsure = plan.onInconclusive === 'pause' && inconclusive.length > 0;
  // On the last stage an approval is the final sign-off: the run succeeds only once a person promotes
  // (an abort rolls every stage back). A `pause:` there has no next stage to wait for: the plan refuses it.
  if (!unsure && stage.approval === null) return { kind: 'go' };
  const now = deps.clock.now();
  const timeoutMs = stage.approval?.timeoutMs ?? null;
  const gate: Gate = {
    id: gateId(stage.name, deps),
    stage: stage.name,
    index: stage.index,
    kind: unsure ? 'inconclusive' : 'approval',
    reason: unsure
      ? `checks could not tell (${inconclusive.join(', ')}) and onInconclusive is pause`
      : (stage.approval?.message ??
        (last ? 'approval required before the run counts as succeeded' : `approval required before ${plan.stages[stage.index + 1]?.name}`)),
    createdAt: isoTime(now),
    expiresAt: timeoutMs === null ? null : isoTime(now + timeoutMs),
    onTimeout: stage.approval?.onTimeout ?? 'abort',
    nonce: deps.randomHex(16),
    planSha256: plan.sha256,
  };
  await emit({ type: 'gate.opened', stage: stage.name, index: stage.index, gate });
  return { kind: 'gate', gate };
}
