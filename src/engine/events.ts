import type { Outcome } from '../checks/kind.js';
import type { ConditionBounds } from '../conditions/bounds.js';
import type { UnitRef } from '../run/ref.js';

/**
 * Everything the engine does is said as one of these events. The state store folds them into
 * state.json; reporters render them. Events are plain data (JSON-serialisable) except
 * `command.output`, which carries raw bytes and is never persisted.
 */
export type Phase = 'deploy' | 'rollback';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'rolled_back' | 'rollback_failed' | 'interrupted' | 'blocked' | 'paused';

/**
 * Why a measurement was not a pass, as on `check.polled.error`. For http: timeout, refused, dns,
 * reset, tls, status, body, network; other kinds use their own words (command, query, …).
 */
export type PollErrorKind = string;

export interface PollError {
  kind: PollErrorKind;
  message: string;
}

/** A measurement's outcome (docs/checks.md): defined once, by the check-kind seam. */
export type { Outcome } from '../checks/kind.js';

/** A check's verdict over the soak. */
export type CheckVerdict = Outcome;
export type OutcomeCounts = Record<Outcome, number>;

/** A check as announced when its soak starts. */
export interface SoakCheck {
  name: string;
  /** The kind's one-line description (e.g. `GET https://…`, `run: ./smoke.sh`). Absent in logs written by 0.1.0. */
  description: string;
  /** The same text, under the name 0.1.0 gave it: kept for existing consumers; read `description`. */
  url: string;
  kind: string;
  intervalMs: number;
  failureThreshold: number;
  maxFailures: number | null;
  minSamples: number;
  initialDelayMs: number;
  dryRun: boolean;
  pass: string | null;
  fail: string | null;
  /**
   * The conditions' shapes as compiled, for charts: each one's bounds when it is a plain comparison
   * of one field of `result` with numbers, else null (also null when there is no such condition).
   */
  bounds: { pass: ConditionBounds | null; fail: ConditionBounds | null };
  onNoData: 'inconclusive' | 'fail' | 'pass';
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
  /** The unit of work the event is about (src/run/ref.ts): `{ stage }`, or `{ stage, target }` in a fleet. Stamped by the engine's loop. */
  ref?: UnitRef;
}

/** Events that can be about one deploy target of a fleet stage name it; absent: about the stage itself. */
interface TargetRef {
  target?: string;
}

export interface RunStarted extends Base {
  type: 'run.started';
  plan: { name: string; path: string; sha256: string; vars: Record<string, string> };
  stages: string[];
  /** Fleet stages' targets, batch by batch (names), by stage name; absent when no stage has targets. */
  targets?: Record<string, string[][]>;
  /**
   * What a `targets: { from: … }` command listed as the run started, attributes included: the run
   * keeps it, so resume and rollback act on those targets without running the command again.
   */
  inventory?: { name: string; attributes: Record<string, string> }[];
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
export interface DeployStarted extends Base, StageRef, TargetRef {
  type: 'deploy.started';
  command: string;
}
export interface DeployFinished extends Base, StageRef, TargetRef, CommandOutcome {
  type: 'deploy.finished';
}
export interface SoakStarted extends Base, StageRef, TargetRef {
  type: 'soak.started';
  soakMs: number;
  checks: SoakCheck[];
}
/** One measurement of one check. */
export interface CheckPolled extends Base, StageRef, TargetRef {
  type: 'check.polled';
  check: string;
  kind: string;
  /** `outcome === 'pass'`. */
  ok: boolean;
  outcome: Outcome;
  /** HTTP status for http checks; null for other kinds or when no answer came. */
  status: number | null;
  latencyMs: number;
  /** Why the measurement is not a pass (null when it is). */
  error: PollError | null;
  /** The measured value, JSON-safe (NaN and ±Infinity as "NaN", "+Inf", "-Inf"), size-bounded. */
  value: JsonValue;
  /** Short human form of the value, e.g. `0.034`, `HTTP 503 in 12ms`, `exit 1`. */
  display: string;
  /** The condition that decided, e.g. `pass: result < 0.01`; null when the kind's own rules did. */
  condition: string | null;
  reason: string | null;
  dryRun: boolean;
  /** Running totals for this check in this stage. */
  polls: number;
  /** Measurements that failed (outcome `fail`). */
  failures: number;
  consecutiveFailures: number;
  counts: OutcomeCounts;
  consecutiveErrors: number;
}
/** A check's verdict over the soak: once per check per soak (when the stage ends, or when it decides). */
export interface CheckFinished extends Base, StageRef, TargetRef {
  type: 'check.finished';
  check: string;
  verdict: CheckVerdict;
  reason: string | null;
  dryRun: boolean;
  /** Measurements taken. */
  samples: number;
}
export interface StagePassed extends Base, StageRef {
  type: 'stage.passed';
  durationMs: number;
  /** Checks that ended inconclusive and were let through by `onInconclusive: pass`. */
  inconclusive: string[];
}
export interface StageFailed extends Base, StageRef {
  type: 'stage.failed';
  reason: string;
  /** A fleet stage: the targets that failed (absent otherwise). */
  failedTargets?: string[];
  /** A fleet stage whose failure budget was exceeded: which rule (absent otherwise). */
  budget?: 'perBatch' | 'total' | 'minHealthy';
  durationMs: number;
  /** The check that decided, when one did. */
  check: string | null;
  /** Its deciding value, as displayed. */
  value: string | null;
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
/** `pause:` on a stage that passed: the run waits before the next stage. */
export interface StagePausing extends Base, StageRef {
  type: 'stage.pausing';
  pauseMs: number;
  until: string;
}
/** A gate a person must decide: the run stops after `stage` passed (status `paused`). */
export interface Gate {
  /** Names the gate in `rollout promote --gate ID`. */
  id: string;
  stage: string;
  index: number;
  /** Why the run waits: the approval's message, the inconclusive checks, or the window rule that blocks. */
  reason: string;
  /** `window` (onBlocked: pause) waits *before* `stage`, which has not started; the others wait after it passed. */
  kind: 'approval' | 'inconclusive' | 'window';
  /** Window gates: the blocking rule in the plan's words, and when the stage may next start (null: not within a year). */
  rule?: string;
  nextOpenAt?: string | null;
  createdAt: string;
  /** After this, `promote` is refused (ISO-8601), or null for no limit. */
  expiresAt: string | null;
  onTimeout: 'abort' | 'fail';
  /** Spent by the first decision: a gate is decided once. */
  nonce: string;
  /** The plan's sha256 when the gate opened: a decision on a changed plan is refused. */
  planSha256: string;
}
export interface GateOpened extends Base, StageRef {
  type: 'gate.opened';
  gate: Gate;
}
/** `fail` is only ever decided by `timeout`: an expired gate whose `onTimeout` is `fail`. */
export type GateDecision = 'promote' | 'abort' | 'fail';
export interface GateDecided extends Base, StageRef {
  type: 'gate.decided';
  gateId: string;
  decision: GateDecision;
  /** Who decided: the CI's user or the local login, or `timeout` when an expired gate acted on its `onTimeout`. */
  by: string;
  reason: string | null;
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
export interface RollbackStepStarted extends Base, TargetRef {
  type: 'rollback.step.started';
  /** The stage's unit, or null for the plan-level rollback (stamped by the engine's loop). */
  ref?: UnitRef | null;
  stage: string | null;
  index: number | null;
  command: string;
}
export interface RollbackStepFinished extends Base, CommandOutcome, TargetRef {
  type: 'rollback.step.finished';
  ref?: UnitRef | null;
  stage: string | null;
  index: number | null;
  /** Stages this step undid: one for a stage rollback, every deployed stage for the plan's. */
  stages: string[];
}
export interface RollbackStepSkipped extends Base, StageRef, TargetRef {
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
export interface CommandOutput extends Base, TargetRef {
  type: 'command.output';
  stage: string | null;
  phase: Phase;
  stream: 'stdout' | 'stderr';
  chunk: Uint8Array;
}

/** A fleet stage starts one of its batches (1-based `batch` of `batches`). */
export interface BatchStarted extends Base, StageRef {
  type: 'batch.started';
  batch: number;
  batches: number;
  targets: string[];
}
/** A deploy target's turn: its deploy, verify and checks follow (a target found mid-deploy starts again). */
export interface TargetStarted extends Base, StageRef {
  type: 'target.started';
  target: string;
  batch: number;
}
/** `verify:` ran on a target after its deploy: what it printed (trimmed, bounded) and whether that was expected. */
export interface VerifyFinished extends Base, StageRef, CommandOutcome {
  type: 'verify.finished';
  target: string;
  ok: boolean;
  output: string;
  expected: string | null;
}
/** A target runs the new version: deployed, verified, and its checks passed their soak. */
export interface TargetPassed extends Base, StageRef {
  type: 'target.passed';
  target: string;
  durationMs: number;
}
/** A target failed its deploy, verify or checks; the budget decides what that means for the stage. */
export interface TargetFailed extends Base, StageRef {
  type: 'target.failed';
  target: string;
  reason: string;
  durationMs: number;
  check: string | null;
  value: string | null;
}
/** `rollout resume --retry-failed`: a failed target goes back to pending, to be deployed again. */
export interface TargetRetrying extends Base, StageRef {
  type: 'target.retrying';
  target: string;
}
/** A batch is over: its targets are done and its bake (with the fleet checks) ended. `budget` says what is left. */
export interface BatchFinished extends Base, StageRef {
  type: 'batch.finished';
  batch: number;
  batches: number;
  updated: number;
  failed: number;
  /** Failures still tolerated over the stage (null: no limit). */
  budgetLeft: number | null;
  /** Failures the stage tolerates in all (`failureBudget.total`, resolved); absent in logs written before it. */
  tolerated?: number;
}
/** A fleet stage waits between batches; its fleet checks (if any) are measured meanwhile (`soak.started` without a target). */
export interface BatchBaking extends Base, StageRef {
  type: 'batch.baking';
  batch: number;
  bakeMs: number;
  until: string;
}

/**
 * Something worth a person's attention that is not a step of the run (a stale lock taken over, a
 * webhook not delivered, TLS verification off): every reporter renders it and the event log records
 * it. Said by the command around the engine, never about a unit; `--json` keeps it on stderr, so
 * `run.finished` stays the last line on stdout.
 */
export interface Warning extends Base {
  type: 'warning';
  message: string;
}

export type RolloutEvent =
  | Warning
  | RunStarted
  | RunResumed
  | StageStarted
  | DeployStarted
  | DeployFinished
  | SoakStarted
  | CheckPolled
  | CheckFinished
  | StagePassed
  | StageFailed
  | StageSkipped
  | StageBlocked
  | StagePausing
  | GateOpened
  | GateDecided
  | WindowWaiting
  | WindowOverridden
  | RollbackStarted
  | RollbackStepStarted
  | RollbackStepFinished
  | RollbackStepSkipped
  | RollbackFinished
  | RunFinished
  | CommandOutput
  | BatchStarted
  | TargetStarted
  | VerifyFinished
  | TargetPassed
  | TargetFailed
  | TargetRetrying
  | BatchBaking
  | BatchFinished;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type EventType = RolloutEvent['type'];
/** An event before the emitter stamps `time` and `runId` on it. */
export type EventInput = RolloutEvent extends infer E ? (E extends RolloutEvent ? Omit<E, 'time' | 'runId' | 'ref'> : never) : never;
/** Listeners may return a promise to slow the engine down (output backpressure). */
export type Emit = (event: RolloutEvent) => void | Promise<void>;
/**
 * The engine's own emitter: takes events before `time` and `runId` are stamped on, or an event its
 * maker stamped whole (a measurement: soak.ts), which passes as it is.
 */
export type EmitInput = (event: EventInput | CheckPolled) => void | Promise<void>;
