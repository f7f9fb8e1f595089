import type { Plan, Stage } from '../plan/types.js';
import { commandFailure, runPlanCommand } from './command.js';
import { type EngineDeps, eventEmitter, interruptSignal } from './deps.js';
import type { RunStatus } from './events.js';
import { afterStage } from './gate.js';
import { rollBack } from './rollback.js';
import { soakCheck, soakStage } from './soak.js';
import { awaitWindow, type WindowOverride } from './window-gate.js';

export type FinalStatus = Exclude<RunStatus, 'running'>;

export interface RunOutcome {
  status: FinalStatus;
  failure: { stage: string; reason: string } | null;
}

/** Where `rollout resume` picks a run up. */
export interface ResumePoint {
  /** 0-based index of the first stage still to do. */
  stageIndex: number;
  /**
   * The step to pick that stage up at: `window` runs it whole (window check, deploy, soak, …);
   * `soak` soaks it again from the start without redeploying; `pause` waits its pause again.
   */
  from: 'window' | 'soak' | 'pause';
  /** Stages whose deploy had started before the resume point, in order (the resumed one included when it is past its deploy). */
  deployed: Stage[];
  /** With `from: 'pause'`: the checks the stage passed inconclusive (they may open its gate). */
  inconclusive?: string[];
}

export interface RunOptions {
  /** Start stages even when a deploy window blocks them (recorded with who and why). */
  overrideWindow?: WindowOverride | null;
}

/**
 * The rollout state machine: for each stage, check its deploy window, deploy, then soak; on the
 * first failure, skip the rest and (per `onFailure`) roll back what was deployed. A stage its window
 * blocks stops the run before it, leaving what passed deployed (status `blocked`, resumable).
 * Speaks only through events. With `resume`, continues an interrupted or blocked run instead of
 * starting one: stages that passed are not touched.
 */
export async function runRollout(plan: Plan, deps: EngineDeps, resume?: ResumePoint, options: RunOptions = {}): Promise<RunOutcome> {
  const emit = eventEmitter(deps);
  const runStarted = deps.clock.now();
  if (resume) {
    await emit({ type: 'run.resumed', mode: 'forward', stage: plan.stages[resume.stageIndex]?.name ?? null });
  } else {
    await emit({
      type: 'run.started',
      plan: { name: plan.name, path: plan.path, sha256: plan.sha256, vars: plan.vars },
      stages: plan.stages.map((s) => s.name),
    });
  }

  const deployed: Stage[] = [...(resume?.deployed ?? [])];
  let failure: RunOutcome['failure'] = null;
  let interrupted = false;
  let blocked = false;
  let paused = false;

  /** Runs a stage's deploy command: null when it succeeded, else why it failed, or 'interrupted'. */
  const deployStage = async (stage: Stage): Promise<string | null> => {
    emit({ type: 'stage.started', stage: stage.name, index: stage.index });
    await emit({ type: 'deploy.started', stage: stage.name, index: stage.index, command: stage.deploy });
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
    return aborted ? 'interrupted' : commandFailure('deploy', outcome, stage.timeoutMs);
  };

  for (const stage of plan.stages.slice(resume?.stageIndex ?? 0)) {
    if (deps.signal.aborted) {
      interrupted = true;
      break;
    }
    const stageStarted = deps.clock.now();
    const elapsed = () => Math.round(deps.clock.now() - stageStarted);
    const from = stage.index === resume?.stageIndex ? resume.from : 'window';
    if (from === 'window') {
      const window = await awaitWindow(plan, stage, deps, emit, options.overrideWindow ?? null);
      if (window.kind === 'interrupted') {
        interrupted = true;
        break;
      }
      if (window.kind === 'blocked') {
        blocked = true;
        break;
      }
      if (window.kind === 'gate') {
        paused = true; // onBlocked: pause — a gate before this stage, decided by `rollout promote` / `rollout abort`
        break;
      }
      const deployFailure = await deployStage(stage);
      if (deployFailure === 'interrupted') {
        interrupted = true;
        break;
      }
      if (deployFailure !== null) {
        failure = { stage: stage.name, reason: deployFailure };
        emit({ type: 'stage.failed', stage: stage.name, index: stage.index, reason: deployFailure, durationMs: elapsed(), check: null, value: null });
        break;
      }
    }

    let inconclusive: string[] = resume?.inconclusive ?? [];
    if (from !== 'pause') {
      emit({
        type: 'soak.started',
        stage: stage.name,
        index: stage.index,
        soakMs: stage.soakMs,
        checks: stage.health.map(soakCheck),
      });
      const soak = await soakStage(stage, deps, emit, plan);
      if (soak.kind === 'interrupted') {
        interrupted = true;
        break;
      }
      if (soak.kind === 'failed') {
        failure = { stage: stage.name, reason: soak.reason };
        emit({ type: 'stage.failed', stage: stage.name, index: stage.index, reason: soak.reason, durationMs: elapsed(), check: soak.check, value: soak.value });
        break;
      }
      emit({ type: 'stage.passed', stage: stage.name, index: stage.index, durationMs: elapsed(), inconclusive: soak.inconclusive });
      inconclusive = soak.inconclusive;
    }
    const next = await afterStage(plan, stage, inconclusive, deps, emit);
    if (next.kind === 'interrupted') {
      interrupted = true;
      break;
    }
    if (next.kind === 'gate') {
      paused = true;
      break;
    }
  }

  let status: FinalStatus;
  if (interrupted) {
    status = 'interrupted';
    // A runner with a long grace period can ask for the deployed stages to be undone on cancel.
    if (plan.onInterrupt === 'rollback') await rollBack(plan, deployed, { ...deps, signal: deps.hardSignal }, emit);
  } else if (blocked) {
    status = 'blocked';
  } else if (paused) {
    status = 'paused';
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
  await emit({ type: 'run.finished', status, durationMs: Math.round(deps.clock.now() - runStarted), failure, signal: interruptSignal(deps, status) });
  return { status, failure };
}
