import type { Plan, Stage } from '../plan/types.js';
import { commandFailure, runPlanCommand } from './command.js';
import { type EngineDeps, eventEmitter } from './deps.js';
import type { RunStatus } from './events.js';
import { rollBack } from './rollback.js';
import { soakStage } from './soak.js';

export type FinalStatus = Exclude<RunStatus, 'running'>;

export interface RunOutcome {
  status: FinalStatus;
  failure: { stage: string; reason: string } | null;
}

/**
 * The rollout state machine: for each stage, deploy then soak; on the first failure, skip the rest
 * and (per `onFailure`) roll back what was deployed. Speaks only through events.
 */
export async function runRollout(plan: Plan, deps: EngineDeps): Promise<RunOutcome> {
  const emit = eventEmitter(deps);
  const runStarted = deps.clock.now();
  emit({ type: 'run.started', plan: { name: plan.name, path: plan.path, sha256: plan.sha256 }, stages: plan.stages.map((s) => s.name) });

  const deployed: Stage[] = [];
  let failure: RunOutcome['failure'] = null;
  let interrupted = false;

  for (const stage of plan.stages) {
    if (deps.signal.aborted) {
      interrupted = true;
      break;
    }
    const stageStarted = deps.clock.now();
    const elapsed = () => Math.round(deps.clock.now() - stageStarted);
    emit({ type: 'stage.started', stage: stage.name, index: stage.index });
    emit({ type: 'deploy.started', stage: stage.name, index: stage.index, command: stage.deploy });
    // Counted as deployed from the moment its command starts: a half-finished deploy needs undoing too.
    deployed.push(stage);
    const outcome = await runPlanCommand(
      plan,
      { command: stage.deploy, phase: 'deploy', stage, eventStage: stage.name, timeoutMs: stage.timeoutMs },
      deps,
      emit,
    );
    const { aborted, ...result } = outcome;
    emit({ type: 'deploy.finished', stage: stage.name, index: stage.index, ...result });
    if (aborted) {
      interrupted = true;
      break;
    }
    const deployFailure = commandFailure('deploy', outcome, stage.timeoutMs);
    if (deployFailure !== null) {
      failure = { stage: stage.name, reason: deployFailure };
      emit({ type: 'stage.failed', stage: stage.name, index: stage.index, reason: deployFailure, durationMs: elapsed() });
      break;
    }

    emit({
      type: 'soak.started',
      stage: stage.name,
      index: stage.index,
      soakMs: stage.soakMs,
      checks: stage.health.map((c) => ({ name: c.name, url: c.displayUrl, intervalMs: c.intervalMs, failureThreshold: c.failureThreshold })),
    });
    const soak = await soakStage(stage, deps, emit);
    if (soak.kind === 'interrupted') {
      interrupted = true;
      break;
    }
    if (soak.kind === 'failed') {
      failure = { stage: stage.name, reason: soak.reason };
      emit({ type: 'stage.failed', stage: stage.name, index: stage.index, reason: soak.reason, durationMs: elapsed() });
      break;
    }
    emit({ type: 'stage.passed', stage: stage.name, index: stage.index, durationMs: elapsed() });
  }

  let status: FinalStatus;
  if (interrupted) {
    status = 'interrupted';
  } else if (failure === null) {
    status = 'succeeded';
  } else {
    for (const stage of plan.stages.slice(deployed.length)) emit({ type: 'stage.skipped', stage: stage.name, index: stage.index });
    if (plan.onFailure === 'stop') {
      status = 'failed';
    } else {
      const rollback = await rollBack(plan, deployed, deps, emit);
      status = rollback.interrupted ? 'interrupted' : rollback.nothingToDo ? 'failed' : rollback.ok ? 'rolled_back' : 'rollback_failed';
    }
  }
  emit({ type: 'run.finished', status, durationMs: Math.round(deps.clock.now() - runStarted), failure });
  return { status, failure };
}
