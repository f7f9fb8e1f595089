import { targetEnv } from '../plan/fleet/targets.js';
import type { Plan, Stage, Target } from '../plan/types.js';
import { varEnvName } from '../plan/vars.js';
import type { EngineDeps } from './deps.js';
import type { CommandOutcome, EmitInput, Phase } from './events.js';

export interface CommandRun {
  command: string;
  phase: Phase;
  /** The stage the command belongs to; the plan-level rollback passes the newest deployed stage. */
  stage: Stage;
  /** Event stage name: null for the plan-level rollback. */
  eventStage: string | null;
  timeoutMs: number;
  /** Sees the output as it comes (verify reads what a target says it runs). */
  onStdout?: (stream: 'stdout' | 'stderr', chunk: Uint8Array) => void;
  /** The deploy target the command is for (a fleet stage), and its batch: said to it as ROLLOUT_TARGET*. */
  target?: { target: Target; batch: number };
}

/**
 * Runs a deploy or rollback command with the documented environment, and reports its output as
 * events. Values reach the command only as environment variables, never as command text.
 */
export async function runPlanCommand(plan: Plan, run: CommandRun, deps: EngineDeps, emit: EmitInput): Promise<CommandOutcome & { aborted: boolean }> {
  const started = deps.clock.now();
  const target = run.target?.target.name;
  // Stopped before it began (a cancel, or a state write that failed): start nothing.
  if (deps.signal.aborted) return { exitCode: null, signal: null, timedOut: false, durationMs: 0, aborted: true };
  const result = await deps.exec({
    command: run.command,
    cwd: plan.dir,
    env: commandEnv(plan, run, deps),
    timeoutMs: run.timeoutMs,
    killGraceMs: plan.killGraceMs,
    signal: deps.signal,
    unit: run.eventStage === null ? null : { stage: run.eventStage, ...(target ? { target } : {}) },
    onOutput: (stream, chunk) => {
      run.onStdout?.(stream, chunk);
      return emit({ type: 'command.output', stage: run.eventStage, phase: run.phase, stream, chunk, ...(target ? { target } : {}) });
    },
  });
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    durationMs: Math.round(deps.clock.now() - started),
    aborted: result.aborted,
    ...(result.error !== undefined ? { error: result.error } : {}),
  };
}

export function commandEnv(plan: Plan, run: Pick<CommandRun, 'phase' | 'stage' | 'target'>, deps: Pick<EngineDeps, 'env' | 'runId'>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(deps.env)) if (value !== undefined) env[name] = value;
  for (const [name, value] of Object.entries(plan.vars)) env[varEnvName(name)] = value;
  env.ROLLOUT_RUN_ID = deps.runId;
  env.ROLLOUT_PLAN = plan.name;
  env.ROLLOUT_PLAN_FILE = plan.path;
  env.ROLLOUT_STAGE = run.stage.name;
  env.ROLLOUT_STAGE_INDEX = String(run.stage.index + 1);
  env.ROLLOUT_STAGE_COUNT = String(plan.stages.length);
  env.ROLLOUT_PHASE = run.phase;
  if (run.target) Object.assign(env, targetEnv(run.target.target, run.target.batch));
  return env;
}

/** Why a command counts as failed, in words; null when it succeeded. */
export function commandFailure(what: string, outcome: CommandOutcome & { aborted?: boolean }, timeoutMs: number): string | null {
  if (outcome.error !== undefined) return `${what} could not start: ${outcome.error.split('\n')[0]}`;
  if (outcome.timedOut) return `${what} timed out after ${formatMs(timeoutMs)} (its process group was killed)`;
  if (outcome.aborted) return `${what} was interrupted`;
  if (outcome.signal !== null) return `${what} was killed by ${outcome.signal}`;
  if (outcome.exitCode !== 0) return `${what} exited with code ${outcome.exitCode}`;
  return null;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
