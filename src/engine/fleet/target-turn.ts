import type { Fleet, Plan, Stage, Target } from '../../plan/types.js';
import { commandFailure } from '../command.js';
import type { EngineDeps } from '../deps.js';
import type { EmitInput } from '../events.js';
import { soakCheck, soakStage } from '../soak.js';
import { runTargetCommand, targetAt } from './target-command.js';
import { undoTarget } from './undo-target.js';
import { verifyTarget } from './verify.js';

export type TurnOutcome = 'updated' | 'failed' | 'interrupted';

/**
 * One target's turn in its batch: deploy, verify (when the stage has `verify:`), soak its own
 * checks; then `target.passed`, or `target.failed` and — unless `onTargetFailure: keep` — its own
 * rollback at once. A target counts as updated only when all three held. What a failure means for
 * the stage is the budget's to say (src/run/budget.ts), not the turn's.
 */
export async function targetTurn(plan: Plan, stage: Stage, fleet: Fleet, target: Target, deps: EngineDeps, emit: EmitInput): Promise<TurnOutcome> {
  const started = deps.clock.now();
  const at = { stage: stage.name, index: stage.index, target: target.name };
  const where = targetAt(fleet, target);
  const { batch } = where;
  const elapsed = () => Math.round(deps.clock.now() - started);
  const fail = async (reason: string, check: string | null = null, value: string | null = null): Promise<TurnOutcome> => {
    await emit({ type: 'target.failed', ...at, reason, durationMs: elapsed(), check, value });
    if (fleet.onTargetFailure === 'rollback') await undoTarget(plan, stage, fleet, target, deps, emit);
    return deps.signal.aborted ? 'interrupted' : 'failed';
  };

  await emit({ type: 'target.started', ...at, batch });
  await emit({ type: 'deploy.started', ...at, command: stage.deploy });
  const outcome = await runTargetCommand(plan, stage, where, { command: stage.deploy, phase: 'deploy', timeoutMs: stage.timeoutMs }, deps, emit);
  const { aborted, ...result } = outcome;
  await emit({ type: 'deploy.finished', ...at, ...result });
  if (aborted) return 'interrupted';
  const deployFailure = commandFailure('deploy', outcome, stage.timeoutMs);
  if (deployFailure !== null) return fail(deployFailure);

  if (fleet.verify !== null) {
    const verified = await verifyTarget(plan, stage, fleet.verify, where, deps, emit);
    if (verified.kind === 'interrupted') return 'interrupted';
    if (verified.kind === 'failed') return fail(verified.reason);
  }

  const checks = fleet.targetChecks[target.name] ?? [];
  if (checks.length > 0 || stage.soakMs > 0) {
    await emit({ type: 'soak.started', ...at, soakMs: stage.soakMs, checks: checks.map(soakCheck) });
    const soak = await soakStage({ ...stage, checks }, deps, emit, { onInconclusive: plan.onInconclusive === 'fail' ? 'fail' : 'pass', target: target.name });
    if (soak.kind === 'interrupted') return 'interrupted';
    if (soak.kind === 'failed') return fail(soak.reason, soak.check, soak.value);
  }
  await emit({ type: 'target.passed', ...at, durationMs: elapsed() });
  return 'updated';
}
