import type { Gate, GateDecision, RunStatus } from '../engine/events.js';
import type { UnitRef } from './ref.js';

export type FinalStatus = Exclude<RunStatus, 'running'>;

/** Why a run failed, as `run.finished` says it. */
export interface Failure {
  stage: string;
  reason: string;
}
/** A failure as the document records it (with the deciding check and value, when one decided). */
export type RunFailure = Failure & { check?: string | null; value?: string | null };

/** A decision on a gate: the person's, or `timeout`'s. */
export interface Decision {
  decision: GateDecision;
  by: string;
  reason: string | null;
}

/**
 * What a command asks of the run: go forward (`run`, `resume`), decide the gate it waits at
 * (`promote`, `abort`, the terminal's prompt), or undo what is deployed (`rollback`).
 */
export type Intent =
  | { kind: 'forward' /** `--retry-failed`: failed targets go back to pending first. */; retryFailed?: boolean }
  | { kind: 'decide'; gateId: string; decision: Decision }
  | { kind: 'undo' };

/** How this drive's rollback went. */
export type Undone = 'ok' | 'failed' | 'interrupted' | 'nothing';

/**
 * What one process has done with the run so far, beside what the document records: the loop's
 * whole memory. A fresh drive (`newDrive`) has said nothing; the loop updates it as actions end.
 */
export interface Drive {
  intent: Intent;
  /** What this process said first: nothing yet, a gate's decision, `run.started`/`run.resumed` forward, or `run.resumed` rollback. */
  said: 'nothing' | 'decided' | 'forward' | 'rollback';
  /** Stages this drive deployed successfully (next: their soak; a stage found `deploying` is deployed again). */
  deployed: readonly string[];
  /** Stages whose pause and gate this drive went through (the document keeps `pause` as their step until the next stage starts). */
  settled: readonly string[];
  /** This drive's rollback, once it ran. */
  undone: Undone | null;
  /** A signal stopped forward work. */
  interrupted: boolean;
  /** Unit keys (unit-key.ts) of the actions running right now: a fleet's targets run side by side. */
  running: readonly string[];
  /** `--retry-failed` put the failed targets back to pending. */
  retried: boolean;
}

export function newDrive(intent: Intent): Drive {
  return { intent, said: 'nothing', deployed: [], settled: [], undone: null, interrupted: false, running: [], retried: false };
}

/**
 * Everything the run may do, as data. Each is started by the loop (src/engine/drive.ts) through
 * the engine's deps and said as events; `finish` and `wait` end the drive. A new step kind is
 * added here, in `next` (when it may start) and in the loop's `start` (what it does).
 */
export type Action =
  /** A new run: `run.started`. */
  | { kind: 'start' }
  /** `run.resumed`: this process picks the run up, forward from `stage` or finishing a rollback. */
  | { kind: 'announce'; mode: 'forward' | 'rollback'; stage: string | null }
  /** `gate.decided`: the person's decision, or an expired gate's `onTimeout` (by `timeout`). */
  | { kind: 'decide'; ref: UnitRef; gate: Gate; decision: Decision }
  /** Check the unit's deploy window (at the moment it is about to start), then run its deploy command. */
  | { kind: 'deploy'; ref: UnitRef }
  /** Soak the unit (from the start), then its pause and its gate. */
  | { kind: 'soak'; ref: UnitRef }
  /** The unit passed and was in its pause: wait it again from the start, then its gate. */
  | { kind: 'pause'; ref: UnitRef; inconclusive: string[] }
  /** `stage.skipped`: units a failure leaves undone. */
  | { kind: 'skip'; refs: UnitRef[] }
  /** Roll back these units (in deploy order; undone newest first); `hard`: only the second signal stops it (onInterrupt: rollback). */
  | { kind: 'undo'; refs: UnitRef[]; hard: boolean }
  /** `run.finished`. */
  | { kind: 'finish'; status: FinalStatus; failure: RunFailure | null }
  /** A gate waits for a person and this drive did not open it: the run is left as it is (paused). */
  | { kind: 'wait'; gate: Gate }
  /** A fleet stage starts its next batch (`batch.started`), or fails it when `minHealthy` would not hold. */
  | { kind: 'batch'; ref: UnitRef; batch: number }
  /** One target's turn: deploy, verify, soak its checks; passed or failed (and, failed, rolled back on its own). */
  | { kind: 'target'; ref: UnitRef }
  /** A failed target whose own rollback was cut short (the process died): roll it back now. */
  | { kind: 'target-undo'; ref: UnitRef }
  /** A batch is done: bake (the fleet checks measured meanwhile), then `batch.finished`. */
  | { kind: 'bake'; ref: UnitRef; batch: number }
  /** Every batch finished: `stage.passed`, then its pause and gate. */
  | { kind: 'fleet-pass'; ref: UnitRef }
  /** The failure budget is exceeded: `stage.failed` naming the rule. */
  | { kind: 'fleet-fail'; ref: UnitRef; reason: string; budget: 'perBatch' | 'total' | 'minHealthy' }
  /** `--retry-failed`: `target.retrying` for each failed target. */
  | { kind: 'retry'; refs: UnitRef[] };
