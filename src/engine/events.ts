/**
 * Everything the engine does is said as one of these events. The state store folds them into
 * state.json; reporters render them. Events are plain data (JSON-serialisable) except
 * `command.output`, which carries raw bytes and is never persisted.
 */
export type Phase = 'deploy' | 'rollback';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'rolled_back' | 'rollback_failed' | 'interrupted' | 'blocked';

export type PollErrorKind = 'timeout' | 'refused' | 'dns' | 'reset' | 'tls' | 'status' | 'body' | 'network';

export interface PollError {
  kind: PollErrorKind;
  message: string;
}

export interface CommandOutcome {
  exitCode: number | null;
  /** Signal that ended the process, if any. */
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** Set when the command could not be started at all. */
  error?: string;
}

interface Base {
  /** ISO-8601 time the event happened, from the injected clock. */
  time: string;
  runId: string;
}

interface StageRef {
  stage: string;
  /** 0-based stage index. */
  index: number;
}

export interface RunStarted extends Base {
  type: 'run.started';
  plan: { name: string; path: string; sha256: string; vars: Record<string, string> };
  stages: string[];
}
/** `rollout resume` picked up an interrupted or abandoned run. */
export interface RunResumed extends Base {
  type: 'run.resumed';
  /** `forward`: continue deploying from `stage`; `rollback`: finish undoing what was deployed. */
  mode: 'forward' | 'rollback';
  stage: string | null;
}
export interface StageStarted extends Base, StageRef {
  type: 'stage.started';
}
export interface DeployStarted extends Base, StageRef {
  type: 'deploy.started';
  command: string;
}
export interface DeployFinished extends Base, StageRef, CommandOutcome {
  type: 'deploy.finished';
}
export interface SoakStarted extends Base, StageRef {
  type: 'soak.started';
  soakMs: number;
  checks: { name: string; url: string; intervalMs: number; failureThreshold: number }[];
}
export interface CheckPolled extends Base, StageRef {
  type: 'check.polled';
  check: string;
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: PollError | null;
  /** Running totals for this check in this stage. */
  polls: number;
  failures: number;
  consecutiveFailures: number;
}
export interface StagePassed extends Base, StageRef {
  type: 'stage.passed';
  durationMs: number;
}
export interface StageFailed extends Base, StageRef {
  type: 'stage.failed';
  reason: string;
  durationMs: number;
}
export interface StageSkipped extends Base, StageRef {
  type: 'stage.skipped';
}
/** A deploy window rule keeps the stage from starting now; the run stops before it (resumable). */
export interface StageBlocked extends Base, StageRef {
  type: 'stage.blocked';
  /** The rule, in the plan's words. */
  rule: string;
  /** When the stage may next start (ISO-8601), or null when no time within a year is allowed. */
  nextOpenAt: string | null;
  message: string;
}
/** `onBlocked: wait`: the stage waits for its window to open. */
export interface WindowWaiting extends Base, StageRef {
  type: 'window.waiting';
  rule: string;
  until: string;
}
/** `--override-window`: the stage starts although a window rule blocks it; who and why are recorded. */
export interface WindowOverridden extends Base, StageRef {
  type: 'window.overridden';
  rule: string;
  reason: string;
  by: string;
}
export interface RollbackStarted extends Base {
  type: 'rollback.started';
  /** `plan` when the plan's single rollback command is used, `stages` for per-stage rollbacks. */
  scope: 'plan' | 'stages';
  /** Stages being undone, newest first. */
  stages: string[];
}
/** A stage rollback command (stage set), or the plan-level one (stage null). */
export interface RollbackStepStarted extends Base {
  type: 'rollback.step.started';
  stage: string | null;
  index: number | null;
  command: string;
}
export interface RollbackStepFinished extends Base, CommandOutcome {
  type: 'rollback.step.finished';
  stage: string | null;
  index: number | null;
  /** Stages this step undid: one for a stage rollback, every deployed stage for the plan's. */
  stages: string[];
}
export interface RollbackStepSkipped extends Base, StageRef {
  type: 'rollback.step.skipped';
  reason: string;
}
export interface RollbackFinished extends Base {
  type: 'rollback.finished';
  ok: boolean;
  failedStages: string[];
}
export interface RunFinished extends Base {
  type: 'run.finished';
  status: Exclude<RunStatus, 'running'>;
  durationMs: number;
  failure: { stage: string; reason: string } | null;
  /** The signal that interrupted the run, when status is `interrupted`. */
  signal: string | null;
}
export interface CommandOutput extends Base {
  type: 'command.output';
  stage: string | null;
  phase: Phase;
  stream: 'stdout' | 'stderr';
  chunk: Uint8Array;
}

export type RolloutEvent =
  | RunStarted
  | RunResumed
  | StageStarted
  | DeployStarted
  | DeployFinished
  | SoakStarted
  | CheckPolled
  | StagePassed
  | StageFailed
  | StageSkipped
  | StageBlocked
  | WindowWaiting
  | WindowOverridden
  | RollbackStarted
  | RollbackStepStarted
  | RollbackStepFinished
  | RollbackStepSkipped
  | RollbackFinished
  | RunFinished
  | CommandOutput;

export type EventType = RolloutEvent['type'];
/** An event before the emitter stamps `time` and `runId` on it. */
export type EventInput = RolloutEvent extends infer E ? (E extends RolloutEvent ? Omit<E, 'time' | 'runId'> : never) : never;
/** Listeners may return a promise to slow the engine down (output backpressure). */
export type Emit = (event: RolloutEvent) => void | Promise<void>;
/** The engine's own emitter: takes events before `time` and `runId` are stamped on. */
export type EmitInput = (event: EventInput) => void | Promise<void>;
