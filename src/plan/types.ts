/**
 * The normalised plan: what the engine runs. Every default is applied, every duration is in
 * milliseconds and every path is absolute, so nothing downstream has to know the file format.
 */
import type { Windows } from '../windows/evaluate.js';

export type OnFailure = 'rollback' | 'stop';
export type OnInterrupt = 'stop' | 'rollback';

export type OnNoData = 'inconclusive' | 'fail' | 'pass';
/** What an inconclusive stage does. A union so the gates work can add `pause`. */
export type OnInconclusive = 'fail' | 'pass' | 'pause';

/** `approval:` on a stage: after it passes, the run stops at a gate until a person promotes or aborts. */
export interface Approval {
  /** How long the gate stays open; null: no limit. */
  timeoutMs: number | null;
  /** What an expired gate means: `abort` (roll back) or `fail` (leave deployed, run failed). */
  onTimeout: 'abort' | 'fail';
  message: string | null;
}

/** How a check is judged over a soak, whatever its kind (see docs/checks.md). */
export interface CheckSettings {
  intervalMs: number;
  /** Deadline for one measurement. */
  timeoutMs: number;
  /** Failed measurements in a row that fail the stage. */
  failureThreshold: number;
  /** Failed measurements tolerated over the soak; the next fails the stage. null = no limit. */
  maxFailures: number | null;
  /** Decisive (pass/fail) measurements needed for a pass; fewer is inconclusive. */
  minSamples: number;
  /** From the start of the soak to the first measurement. */
  initialDelayMs: number;
  /** Measured and recorded, never decides. */
  dryRun: boolean;
  /** CEL conditions over `result`, as written; compiled when the plan is loaded. */
  pass: string | null;
  fail: string | null;
  onNoData: OnNoData;
  /** Measurement errors in a row before the stage fails with "could not measure". */
  maxConsecutiveErrors: number;
}

/** One check as the engine runs it: the shared settings plus its kind's own normalised spec. */
export interface Check<Spec extends { kind: string } = { kind: string }> extends CheckSettings {
  /** The check's `type:` (http, command, …); the same as `spec.kind`. */
  kind: string;
  /** Shown in output and state: the named check's key, its `name:`, or the URL. */
  name: string;
  /** The kind's one-line description, e.g. `GET https://canary/status`; no `${env.X}` values. */
  description: string;
  spec: Spec;
  /** The entry point it reaches (a URL), when it goes through one; for the shared-entry warning. */
  entryPoint: string | null;
  /** Where the check is written in the plan (key path), for load-time problems. */
  source: (string | number)[];
}

export interface Stage {
  name: string;
  /** 0-based position in the plan. */
  index: number;
  deploy: string;
  rollback: string | null;
  soakMs: number;
  /** Limit for one deploy or rollback command. */
  timeoutMs: number;
  /**
   * Every check the stage runs: `defaults.checks`, its `checks:` list, then its inline `health:`. On a fleet
   * stage this is the list as written (`${target.…}` left unfilled, not prepared): it is shown, never measured;
   * each target's own checks are `fleet.targetChecks`.
   */
  checks: Check[];
  /** Wait after the stage passed, before the next one (ms; 0: none). */
  pauseMs: number;
  approval: Approval | null;
  /** The stage's deploy targets, rolled out in batches (`targets:`); null: the stage is one unit, as before fleets. */
  fleet: Fleet | null;
}

/** A deploy target named under the plan's `targets:`: any unit the deploy command understands (a host, a region, a cluster). */
export interface Target {
  name: string;
  /** Its attributes as written (`host: eu-1.internal`): `${target.host}` in checks, `ROLLOUT_TARGET_HOST` in commands. */
  attributes: Record<string, string>;
}

/** How many failures a fleet stage tolerates: the budget is exceeded on failure N+1 (docs/fleets.md). */
export interface FailureBudget {
  /** Failed targets tolerated in one batch, as written: a count, or a percentage of the batch (rounded down). null: no per-batch limit. */
  perBatch: Amount | null;
  /** Failed targets tolerated over the stage: a count, or a percentage of the stage's targets (rounded down). */
  total: Amount;
  /** The fewest targets that must be healthy (not failed, not being deployed), checked before each batch starts and after it ends. */
  minHealthy: Amount | null;
}

/** A count, or a percentage of some whole (resolved where the whole is known). */
export type Amount = { count: number } | { percent: number };

export type OnBudgetExceeded = 'rollback-stage' | 'rollback-all' | 'stop';

/** A stage with targets: who it deploys to, in which batches, and what failures it tolerates. */
export interface Fleet {
  /** The stage's targets, in the order they are deployed. */
  targets: Target[];
  /** Target names per batch, computed from `batch:` at load time (`rollout plan` shows them). */
  batches: string[][];
  /** Deploys running at once inside a batch. */
  maxParallel: number;
  /** Wait after each batch (fleet checks are measured during it); `firstBakeMs` after the first one. */
  bakeMs: number;
  firstBakeMs: number;
  budget: FailureBudget;
  onBudgetExceeded: OnBudgetExceeded;
  /** `rollback`: a failed target is rolled back at once; `keep`: left as it is (for debugging). */
  onTargetFailure: 'rollback' | 'keep';
  /** Proof a target runs the new version before it counts as updated; null: the deploy's exit status is enough. */
  verify: Verify | null;
  /** Each target's own checks (the stage's checks with `${target.…}` filled in), by target name. */
  targetChecks: Record<string, Check[]>;
  /** Checks measured once for the whole stage, during each bake (`fleetChecks:`). */
  fleetChecks: Check[];
}

/** `verify:` — a command that prints what a target runs; `expect` is compared with its trimmed stdout. */
export interface Verify {
  command: string;
  /** The text the command must print (trimmed); null: exit status 0 is enough. */
  expect: string | null;
  timeoutMs: number;
}

export interface Plan {
  version: 1;
  name: string;
  /** Absolute path of the plan file. */
  path: string;
  /** Directory commands run in. */
  dir: string;
  /** sha256 of the plan file's bytes, so a later resume can tell the plan changed. */
  sha256: string;
  vars: Record<string, string>;
  onFailure: OnFailure;
  onInterrupt: OnInterrupt;
  /** What a stage whose checks ended inconclusive does. */
  onInconclusive: OnInconclusive;
  /** SIGTERM-to-SIGKILL grace for commands being stopped (timeout or cancel). */
  killGraceMs: number;
  /** One command that undoes everything; replaces per-stage rollbacks when set. */
  rollback: string | null;
  /** Timeout for the plan-level rollback command. */
  rollbackTimeoutMs: number;
  /** Absolute path of the state file, or a shared store's URL (postgres://…). */
  statePath: string;
  /** The record's key in a shared store (`key:`); the plan's name when absent. */
  stateKey?: string;
  /** Environment variable names whose values are redacted everywhere the tool writes. */
  secrets: string[];
  stages: Stage[];
  /** Every target the plan names (`targets:`), in the order written; empty when it names none. */
  targets: Target[];
  /** With `targets: { from: … }`: the command that listed `targets` when the plan was loaded. */
  targetsFrom?: string;
  /** Deploy windows and freezes, checked before each stage starts; null when the plan has none. */
  windows: Windows | null;
  /** Webhooks to notify (`notify:`); absent or empty when none. */
  notify?: Webhook[];
}

export type NotifyEvent = 'run.started' | 'stage.passed' | 'stage.failed' | 'gate.opened' | 'gate.decided' | 'rollback.finished' | 'run.finished';

export interface Webhook {
  url: string;
  /** Shown in output: scheme and host only, since webhook URLs usually embed a secret. */
  displayUrl: string;
  events: NotifyEvent[];
  headers: Record<string, string>;
  timeoutMs: number;
}
