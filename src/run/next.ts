import type { Gate, RunStatus } from '../engine/events.js';
import type { Fleet, OnBudgetExceeded, Plan, Stage } from '../plan/types.js';
import type { StageState, StateDocument } from '../state/document.js';
import type { Action, Decision, Drive, Failure, FinalStatus, RunFailure, Undone } from './actions.js';
import { deployedTargets, fleetActions } from './fleet-next.js';
import { isExpired, timeoutDecision } from './gate-time.js';
import { stageStep, wasDeployed } from './reduce.js';
import type { UnitRef } from './ref.js';

/** What `next` reads of the plan: only a drive that went forward consults it (status passes null). */
export type RunPolicy = (Pick<Plan, 'onFailure' | 'onInterrupt'> & { stages?: readonly Pick<Stage, 'name' | 'fleet'>[] }) | null;

/** Run statuses after which nothing is left to do but an explicit `rollout rollback`. */
const FINISHED = {
  running: false,
  interrupted: false,
  blocked: false,
  paused: false,
  succeeded: true,
  failed: true,
  rolled_back: true,
  rollback_failed: true,
} as const satisfies Record<RunStatus, boolean>;

/** Stage statuses that say a rollback is under way or was done: the run goes on by finishing it. */
const UNDOING = {
  pending: false,
  deploying: false,
  soaking: false,
  succeeded: false,
  failed: false,
  skipped: false,
  rolling_back: true,
  rolled_back: true,
  rollback_failed: true,
} as const satisfies Record<StageState['status'], boolean>;

/**
 * The one place that says where a run is and what may start now. Pure and total: the document, the
 * drive (what this process has done and was asked to do) and `now` (compared with a gate's expiry
 * only) in, the actions out — every action that may start now (today at most one: stages run one
 * after another), or none when the run has nothing left to do. The loop (src/engine/drive.ts)
 * starts them, folds the events they emit, and asks again.
 */
export function next(plan: RunPolicy, doc: StateDocument | null, drive: Drive, now: number): Action[] {
  const actions = decide(plan, doc, drive, now);
  // While a fleet's targets run, only more of them may start: everything else waits until they end.
  return drive.running.length > 0 ? actions.filter((a) => a.kind === 'target' || a.kind === 'target-undo') : actions;
}

function decide(plan: RunPolicy, doc: StateDocument | null, drive: Drive, now: number): Action[] {
  if (doc === null) return [{ kind: 'start' }];
  if (drive.intent.kind === 'forward' && drive.intent.retryFailed && !drive.retried) {
    const failed = failedTargetRefs(doc);
    if (drive.said === 'nothing') return [{ kind: 'announce', mode: 'forward', stage: failed[0]?.stage ?? null }];
    return [{ kind: 'retry', refs: failed }];
  }
  if (drive.intent.kind === 'undo') return undoing(doc, drive, doc.failure);
  if (FINISHED[doc.status] && drive.said === 'nothing') return [];
  if (drive.interrupted) {
    if (plan?.onInterrupt === 'rollback' && drive.undone === null) return [{ kind: 'undo', refs: deployedRefs(doc), hard: true }];
    return [finish('interrupted', forwardFailure(doc))];
  }
  if (doc.blocked && drive.said === 'forward') return [finish('blocked', null)];

  const gate = doc.gate;
  if (gate && gate.decision === null) return atGate(gate, drive, now);
  if (gate?.decision && gate.decision.decision !== 'promote') return afterDecision(doc, gate, gate.decision, drive);
  if (doc.failure !== null || doc.stages.some((s) => UNDOING[s.status])) return afterFailure(plan, doc, drive);
  return forward(plan, doc, drive);
}

/** A gate undecided: decided now (the person's decision, or its `onTimeout` once expired), or the drive stops at it. */
function atGate(gate: Gate, drive: Drive, now: number): Action[] {
  const expired = isExpired(gate, now);
  const asked = drive.intent.kind === 'decide' && drive.intent.gateId === gate.id ? drive.intent.decision : null;
  // An expired gate cannot be promoted (commands refuse first); a person may still abort it.
  const decision = expired && asked?.decision !== 'abort' ? timeoutDecision(gate) : asked;
  if (decision) return [{ kind: 'decide', ref: { stage: gate.stage }, gate, decision }];
  // Opened by this drive: the run is recorded paused. Found waiting: left as it is.
  return drive.said === 'forward' ? [finish('paused', null)] : [{ kind: 'wait', gate }];
}

/** An abort rolls back what is deployed; `fail` (an expired gate's onTimeout) closes the run leaving it. */
function afterDecision(doc: StateDocument, gate: Gate, decision: Decision, drive: Drive): Action[] {
  if (decision.decision === 'fail') return [finish('failed', { stage: gate.stage, reason: decision.reason ?? `gate ${gate.id} expired` })];
  const why = decision.by === 'timeout' ? `${decision.reason ?? `gate ${gate.id} expired`} (onTimeout: abort)` : `aborted at gate ${gate.id} by ${decision.by}`;
  const reason = decision.by !== 'timeout' && decision.reason ? `${why}: ${decision.reason}` : why;
  return undoing(doc, drive, { stage: gate.stage, reason });
}

/**
 * After a failure: the stages it leaves undone are skipped, then what is deployed is rolled back
 * (or left, onFailure: stop). A failed fleet stage says how far with its `onBudgetExceeded`:
 * everything, its own targets only, or nothing.
 */
function afterFailure(plan: RunPolicy, doc: StateDocument, drive: Drive): Action[] {
  const mode = drive.said === 'forward' ? failureMode(plan, doc) : 'rollback-all';
  if (drive.said === 'forward' && drive.undone === null) {
    const left = doc.stages.filter((s) => s.status === 'pending').map((s) => ({ stage: s.name }));
    if (left.length > 0) return [{ kind: 'skip', refs: left }];
    if (mode === 'stop') return [finish('failed', forwardFailure(doc))];
  }
  const failure = drive.said === 'forward' ? forwardFailure(doc) : doc.failure;
  if (mode === 'rollback-stage' && doc.failure) return undoing(doc, drive, failure, doc.failure.stage);
  return undoing(doc, drive, failure);
}

/** How far a forward failure is undone: the failed fleet stage's `onBudgetExceeded`, else the plan's `onFailure`. */
function failureMode(plan: RunPolicy, doc: StateDocument): OnBudgetExceeded {
  const fleet: Fleet | null | undefined = plan?.stages?.find((s) => s.name === doc.failure?.stage)?.fleet;
  if (fleet) return fleet.onBudgetExceeded;
  return plan?.onFailure === 'stop' ? 'stop' : 'rollback-all';
}

/**
 * Undo what is deployed (or only `stage`'s targets: onBudgetExceeded: rollback-stage), newest
 * first, then close the run with how that went.
 */
function undoing(doc: StateDocument, drive: Drive, failure: RunFailure | null, stage?: string): Action[] {
  if (drive.undone !== null) {
    // Only one stage undone: the run failed, whatever its rollback did (earlier stages stay deployed).
    const status =
      stage === undefined
        ? statusAfterUndo(drive.undone, drive)
        : drive.undone === 'failed'
          ? 'rollback_failed'
          : drive.undone === 'interrupted'
            ? 'interrupted'
            : 'failed';
    return [finish(status, failure)];
  }
  // A rollback decided at a gate just now is the run going on; otherwise it continues one that was cut short.
  if (drive.said === 'nothing' && drive.intent.kind !== 'undo') return [{ kind: 'announce', mode: 'rollback', stage: null }];
  const refs = deployedRefs(doc).filter((ref) => stage === undefined || ref.stage === stage);
  return [{ kind: 'undo', refs, hard: false }];
}

/**
 * Nothing undone because nothing had a rollback command: a run that failed going forward stays
 * `failed`; a rollback asked for (resume, abort, `rollout rollback`) counts as done.
 */
function statusAfterUndo(undone: Undone, drive: Drive): FinalStatus {
  const table = {
    ok: 'rolled_back',
    failed: 'rollback_failed',
    interrupted: 'interrupted',
    nothing: drive.said === 'forward' ? 'failed' : 'rolled_back',
  } as const satisfies Record<Undone, FinalStatus>;
  return table[undone];
}

/** Forward: the first stage not done yet, at its step; every stage done: the run succeeded. */
function forward(plan: RunPolicy, doc: StateDocument, drive: Drive): Action[] {
  const at = doc.stages.findIndex((stage) => !isPast(stage) && !drive.settled.includes(stage.name));
  if (drive.said !== 'forward') return [{ kind: 'announce', mode: 'forward', stage: doc.stages[at]?.name ?? null }];
  const stage = doc.stages[at];
  if (!stage) return [finish('succeeded', null)];
  const ref = { stage: stage.name };
  if (stage.targets && stage.status === 'deploying') return fleetActions(plan?.stages?.find((s) => s.name === stage.name)?.fleet ?? null, stage, drive);
  switch (stage.status) {
    case 'succeeded':
      return [{ kind: 'pause', ref, inconclusive: stage.checkResults.inconclusive ?? [] }];
    case 'soaking':
      return [{ kind: 'soak', ref }];
    case 'deploying':
      // Deployed by this drive: soak it. Found deploying: its deploy was cut short, so it is deployed again.
      return [drive.deployed.includes(stage.name) ? { kind: 'soak', ref } : { kind: 'deploy', ref }];
    default:
      return [{ kind: 'deploy', ref }];
  }
}

/** A stage forward has nothing left to do with: it passed and is not in its pause (or was skipped). */
function isPast(stage: StageState): boolean {
  return (stage.status === 'succeeded' && stageStep(stage) !== 'pause') || stage.status === 'skipped';
}

function finish(status: FinalStatus, failure: RunFailure | null): Action {
  return { kind: 'finish', status, failure };
}

/** The failure a forward drive records at its end: the stage and why, as `stage.failed` said. */
function forwardFailure(doc: StateDocument): Failure | null {
  return doc.failure ? { stage: doc.failure.stage, reason: doc.failure.reason } : null;
}

/** The units whose deploy started and that are not undone yet, in deploy order: a fleet stage's targets one by one. */
export function deployedRefs(doc: StateDocument): UnitRef[] {
  return doc.stages.filter(wasDeployed).flatMap((s) => (s.targets ? deployedTargets(s).map((t) => ({ stage: s.name, target: t.name })) : [{ stage: s.name }]));
}

/** Targets that failed (and were rolled back, or kept), for `--retry-failed`. */
export function failedTargetRefs(doc: StateDocument): UnitRef[] {
  return doc.stages.flatMap((s) => (s.targets ?? []).filter((t) => t.failed && t.status !== 'pending').map((t) => ({ stage: s.name, target: t.name })));
}
