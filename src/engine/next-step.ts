import type { StateDocument } from '../state/document.js';
import { stageStep, wasDeployed } from '../state/reduce.js';
import type { Gate, GateDecision } from './events.js';

type PendingGate = Gate & { decision: null };
type Failure = { stage: string; reason: string };

/**
 * What a run does next, from its recorded state alone. Stage indexes are the run's (a run is only
 * continued with the same stages, in the same order); `deployed` lists, in deploy order, the stages
 * whose deploy started and that are not undone yet.
 */
export type NextStep =
  /** Check the stage's window, deploy it, soak it, … (`stageIndex` = stage count: every stage passed; only the run's end is left). */
  | { kind: 'start-stage'; stageIndex: number; deployed: number[] }
  /** The stage was soaking: soak it again from the start, without redeploying. */
  | { kind: 'resoak'; stageIndex: number; deployed: number[] }
  /** The stage passed and was in its `pause:`: wait it again, then its gate (if any), then go on. */
  | { kind: 'repause'; stageIndex: number; deployed: number[] }
  /** A gate waits for a person (`rollout promote` / `rollout abort`, or the terminal's prompt). */
  | { kind: 'gate-waiting'; gate: PendingGate }
  /** A gate's time is up: its `onTimeout` acts, decided by `timeout`. */
  | { kind: 'gate-expired'; gate: PendingGate; onTimeout: 'abort' | 'fail' }
  /** Undo what is deployed, newest first: after a failure, an abort, or a rollback that was cut short. */
  | { kind: 'rollback'; deployed: number[]; failure: Failure | null }
  /** Close the run as failed, leaving what is deployed (an expired gate with `onTimeout: fail`). */
  | { kind: 'fail'; failure: Failure }
  /** The run ended: nothing to continue. */
  | { kind: 'done'; status: 'succeeded' | 'failed' | 'rolled_back' | 'rollback_failed' };

/** A decision on a gate: the person's, or `timeout`'s. */
export interface Decision {
  decision: GateDecision;
  by: string;
  reason: string | null;
}

/**
 * The one place that says where a run is and what comes next. Pure: `now` is only compared with a
 * gate's expiry. `resume`, `promote`, `abort`, `status` and the engine's `continueRun` all ask it.
 */
export function nextStep(doc: StateDocument, now: number): NextStep {
  switch (doc.status) {
    case 'succeeded':
    case 'failed':
    case 'rolled_back':
    case 'rollback_failed':
      return { kind: 'done', status: doc.status };
    case 'paused':
    case 'running':
    case 'interrupted':
    case 'blocked':
      return continuing(doc, now);
  }
}

/** What follows `decision` on the gate `doc` waits at. */
export function stepAfterDecision(doc: StateDocument, gate: Gate, decision: Decision): NextStep {
  switch (decision.decision) {
    case 'promote':
      // A window gate waits *before* its stage (which never started); the others wait after theirs.
      return { kind: 'start-stage', stageIndex: gate.kind === 'window' ? gate.index : gate.index + 1, deployed: deployedIndexes(doc) };
    case 'abort': {
      const why =
        decision.by === 'timeout' ? `${decision.reason ?? `gate ${gate.id} expired`} (onTimeout: abort)` : `aborted at gate ${gate.id} by ${decision.by}`;
      const reason = decision.by !== 'timeout' && decision.reason ? `${why}: ${decision.reason}` : why;
      return { kind: 'rollback', deployed: deployedIndexes(doc), failure: { stage: gate.stage, reason } };
    }
    case 'fail':
      return { kind: 'fail', failure: { stage: gate.stage, reason: decision.reason ?? `gate ${gate.id} expired` } };
  }
}

/** The decision an expired gate takes by itself, in the words the state and events record. */
export function timeoutDecision(gate: Gate): Decision {
  return { decision: gate.onTimeout, by: 'timeout', reason: `gate ${gate.id} expired at ${gate.expiresAt}` };
}

export function isExpired(gate: Gate, now: number): boolean {
  return gate.expiresAt !== null && now >= Date.parse(gate.expiresAt);
}

function continuing(doc: StateDocument, now: number): NextStep {
  const gate = doc.gate;
  // A decision recorded before the process died (status still `paused`, or a rollback it began) is carried out.
  if (gate?.decision) {
    const decided = stepAfterDecision(doc, gate, gate.decision);
    if (decided.kind !== 'start-stage') return decided;
  }
  // A gate undecided is where the run is, whatever else the document says (it stops the run once opened).
  if (gate && gate.decision === null) return atGate({ ...gate, decision: null }, now);
  if (doc.failure !== null || doc.stages.some((s) => ['rolling_back', 'rolled_back', 'rollback_failed'].includes(s.status))) {
    return { kind: 'rollback', deployed: deployedIndexes(doc), failure: doc.failure };
  }
  for (const [index, stage] of doc.stages.entries()) {
    const step = stageStep(stage);
    if (stage.status === 'succeeded') {
      if (step === 'pause') return { kind: 'repause', stageIndex: index, deployed: upTo(index + 1) };
      continue;
    }
    if (stage.status === 'soaking') return { kind: 'resoak', stageIndex: index, deployed: upTo(index + 1) };
    // pending (never started, or blocked by its window) or deploying (deploy cut short: deploy again)
    return { kind: 'start-stage', stageIndex: index, deployed: upTo(index) };
  }
  return { kind: 'start-stage', stageIndex: doc.stages.length, deployed: upTo(doc.stages.length) };
}

function atGate(gate: PendingGate, now: number): NextStep {
  return isExpired(gate, now) ? { kind: 'gate-expired', gate, onTimeout: gate.onTimeout } : { kind: 'gate-waiting', gate };
}

function deployedIndexes(doc: StateDocument): number[] {
  return doc.stages.flatMap((stage, index) => (wasDeployed(stage) ? [index] : []));
}

function upTo(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}
