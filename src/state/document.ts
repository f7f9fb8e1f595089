import type { CheckVerdict, Gate, GateDecision, JsonValue, Outcome, OutcomeCounts, PollError, RunStatus } from '../engine/events.js';

/** The state file's shape. Version 2 (after 0.1.0: names that say what they hold); additive changes only within a version. */
export type StageStatus = 'pending' | 'deploying' | 'soaking' | 'succeeded' | 'failed' | 'rolling_back' | 'rolled_back' | 'rollback_failed' | 'skipped';

/**
 * Where a stage is in its own short sequence: window check, deploy, soak, then (when it passed)
 * its pause and its gate. Folded from the events (src/run/reduce.ts); a document written before
 * the cursor existed has none, and `stageStep` derives it from the stage's status. A fleet stage
 * goes from `window` to `batches` (its targets each have their own status) and on to its pause.
 */
export type StageStep = 'window' | 'deploy' | 'soak' | 'batches' | 'pause' | 'gate' | 'done';

/** The longest display or reason text a check keeps in the state (every measurement is in the event log). */
export const SUMMARY_TEXT_MAX = 112;

/**
 * One measurement as the state keeps it: what it was judged, and its short display. The value
 * itself (a response's headers and body, a query's series) lives in the event log only, so the
 * state stays small however many checks poll how often (it is rewritten on every transition).
 */
export interface MeasurementState {
  at: string;
  outcome: Outcome;
  display: string;
  condition: string | null;
  reason: string | null;
  /** Documents written by 0.1.0 kept the value too (in `recent`). */
  value?: JsonValue;
}

export interface CheckState {
  name: string;
  /** The kind's one-line description (`GET https://…`, `run: ./smoke.sh`); `url` in version 1. */
  description: string;
  kind?: string;
  dryRun?: boolean;
  /** Measurements by outcome. */
  counts?: OutcomeCounts;
  consecutiveErrors?: number;
  /** The latest measurement. */
  last?: MeasurementState | null;
  /** The latest measurement that was not a pass: what a fail, error or inconclusive verdict rests on. */
  lastBad?: MeasurementState | null;
  /** Written by 0.1.0: the last 20 measurements with their values. Read through `lastMeasurement`. */
  recent?: MeasurementState[];
  /** The check's verdict over the soak, once it has one. */
  verdict?: CheckVerdict | null;
  verdictReason?: string | null;
  polls: number;
  failures: number;
  consecutiveFailures: number;
  lastOk: boolean | null;
  lastStatus: number | null;
  lastLatencyMs: number | null;
  lastError: PollError | null;
  lastPolledAt: string | null;
}

export interface StageState {
  name: string;
  status: StageStatus;
  /** The step the stage is at (absent in documents written before the step cursor was added: see `stageStep`). */
  step?: StageStep;
  startedAt: string | null;
  finishedAt: string | null;
  deploy: { command: string | null; exitCode: number | null; signal: string | null; timedOut: boolean; durationMs: number | null };
  soak: { ms: number | null; startedAt: string | null };
  /** What the soak's checks measured: totals and one summary per check (`health` in version 1). */
  checkResults: {
    polls: number;
    /** Measurements of deciding checks that were not a pass. */
    failures: number;
    /** The same for `dryRun` checks, kept apart: they never decide (absent in older documents). */
    dryRunFailures?: number;
    lastError: string | null;
    checks: CheckState[] /** Checks let through inconclusive (onInconclusive: pass). */;
    inconclusive?: string[];
  };
  rollback: { command: string | null; exitCode: number | null; durationMs: number | null; timedOut: boolean; skipped: string | null };
  /** A fleet stage: where its batches are (absent for a stage without targets). */
  fleet?: FleetState;
  /** A fleet stage's targets, in deploy order: the units of work below the stage (absent without targets). */
  targets?: TargetState[];
}

export interface FleetState {
  batches: number;
  /** The batch under way or last started (1-based); 0 before the first. */
  batch: number;
  /** Batches finished (their bake over). */
  finished: number;
}

/**
 * A deploy target's own status. `updated` is the only success: deployed, verified, checks passed.
 * A failed target is `failed` until its rollback ran (`rolled_back` / `rollback_failed`), or stays
 * `failed` with `onTargetFailure: keep`.
 */
export type TargetStatus =
  | 'pending'
  | 'deploying'
  | 'verifying'
  | 'soaking'
  | 'updated'
  | 'failed'
  | 'rolling_back'
  | 'rolled_back'
  | 'rollback_failed'
  | 'skipped';

/** One target of a fleet stage: the same records as a stage's, kept per target. */
export interface TargetState {
  name: string;
  /** The batch it belongs to (1-based). */
  batch: number;
  status: TargetStatus;
  startedAt: string | null;
  finishedAt: string | null;
  /** How many times its deploy started (a resume or --retry-failed starts it again). */
  attempts: number;
  /** Why it failed (bounded), while it is failed or was rolled back after failing. */
  reason: string | null;
  /** It failed (kept after its rollback, so `--retry-failed` and reports know). */
  failed: boolean;
  deploy: StageState['deploy'];
  verify: { ok: boolean; output: string; expected: string | null } | null;
  checkResults: StageState['checkResults'];
  rollback: StageState['rollback'];
}

export interface StateDocument {
  /** 2 after 0.1.0, which wrote 1 (migrate.ts reads it). */
  version: 2;
  runId: string;
  /** Fixed for a run's whole life, across resumes; tells two runs with a reused state path apart. */
  lineage: string;
  /** Increases with every write of this document. */
  serial: number;
  /** `vars` are the effective values (plan defaults and --var), so a resume deploys the same thing. */
  plan: { name: string; path: string; sha256: string; vars: Record<string, string> };
  status: RunStatus;
  /**
   * What interrupted the run, when status is `interrupted`: `SIGINT` or `SIGTERM`, or what stopped it
   * without a signal: `a failed state write`, `a lost lock` (STOPPED_BY in write-failure.ts).
   */
  interruptedBy: string | null;
  /** How many times `rollout resume` continued this run. */
  resumes: number;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  stages: StageState[];
  /** Why the run failed; `check` and `value` name the deciding check and its value when one decided. */
  failure: { stage: string; reason: string; check?: string | null; value?: string | null } | null;
  /** When status is `blocked`: the stage a deploy window kept from starting, and when it may. */
  blocked?: { stage: string; rule: string; nextOpenAt: string | null; message: string } | null;
  /** The last gate the run stopped at; `decision` null while it waits for `rollout promote` / `rollout abort`. */
  gate?: (Gate & { decision: { decision: GateDecision; by: string; reason: string | null; at: string } | null }) | null;
  /** Window rules overridden with `--override-window`, with who and why. */
  windowOverrides?: { stage: string; rule: string; reason: string; by: string; at: string }[];
  /** The plan-level rollback command's outcome, when the plan has one and it ran. */
  rollback: { command: string; exitCode: number | null; durationMs: number | null; timedOut: boolean } | null;
  /** Who started the run: `actor@host` (src/actor.ts), and the CI job URL where the CI gives one. Absent in older documents. */
  by?: string | null;
  /**
   * The commands running right now, one per unit (src/run/unit-key.ts), so a later run can stop
   * them if this process dies (SIGKILL leaves a deploy's process group running). Empty between
   * commands; absent in documents written before units (see `processGroup`).
   */
  processGroups?: ProcessGroupRecord[];
  /**
   * The single running command, as 0.1.0 recorded it: still read (a later run stops it, `status`
   * names it), never written; `runningGroups` reads both.
   */
  processGroup?: ProcessGroupRecord | null;
  /** What the plan's `targets: { from: … }` command listed when the run started (the run's targets for good). */
  inventory?: { name: string; attributes: Record<string, string> }[];
  /** The rolloutctl release that wrote the document last (added after 0.1.0): an older release names it when it cannot read it. */
  rolloutctlVersion?: string;
}

/** Enough to find a command's process group again and be sure it is the same one. */
export interface ProcessGroupRecord {
  /** Process group id (the shell's pid: commands run in their own group). */
  pgid: number;
  /** The leader's start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTicks: string;
  /** `<boot id>/<pid namespace>`: a pgid means something only on the same kernel and namespace. */
  machine: string;
  host: string;
  command: string;
  /** The unit the command ran for (`unitKey`: the stage, or stage/target; `''` for the plan's rollback). Absent in 0.1.0's slot. */
  unit?: string;
}

/** Every command the document says is running: the list, and 0.1.0's single slot. */
export function runningGroups(doc: Pick<StateDocument, 'processGroups' | 'processGroup'>): ProcessGroupRecord[] {
  return [...(doc.processGroups ?? []), ...(doc.processGroup ? [doc.processGroup] : [])];
}

/** A check's latest measurement, in a document of any version. */
export function lastMeasurement(check: CheckState): MeasurementState | null {
  return check.last ?? check.recent?.at(-1) ?? null;
}
