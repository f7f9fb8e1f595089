import type { RolloutEvent, RunStarted, SoakStarted } from '../engine/events.js';
import { type StageState, type StageStep, type StateDocument, SUMMARY_TEXT_MAX, type TargetState } from '../state/document.js';
import { applyFleetEvent, settleFleetUndo, withTargets } from './reduce-fleet.js';
import { isTargetDeployed, targetOf, undoneStatus } from './targets.js';

/** How an event changes the state file: a transition is written at once, progress is coalesced. */
export type Change = 'transition' | 'progress' | 'none';

export function initialState(event: RunStarted): StateDocument {
  return {
    version: 2,
    runId: event.runId,
    lineage: '',
    serial: 0,
    plan: event.plan,
    status: 'running',
    interruptedBy: null,
    resumes: 0,
    startedAt: event.time,
    updatedAt: event.time,
    finishedAt: null,
    stages: event.stages.map((name) => withTargets(pendingStage(name), event.targets?.[name])),
    failure: null,
    rollback: null,
    ...(event.inventory ? { inventory: event.inventory } : {}),
  };
}

export function pendingStage(name: string): StageState {
  return {
    name,
    status: 'pending',
    step: 'window',
    startedAt: null,
    finishedAt: null,
    deploy: { command: null, exitCode: null, signal: null, timedOut: false, durationMs: null },
    soak: { ms: null, startedAt: null },
    checkResults: { polls: 0, failures: 0, lastError: null, checks: [] },
    rollback: { command: null, exitCode: null, durationMs: null, timedOut: false, skipped: null },
  };
}

/** Folds one event into the document (in place) and says how urgently it must reach disk. */
export function applyEvent(doc: StateDocument, event: RolloutEvent): Change {
  // Neither changes where the run is: output is the event log's, a warning the reporters' and the log's.
  if (event.type === 'command.output' || event.type === 'warning') return 'none';
  doc.updatedAt = event.time;
  const stage = 'index' in event && event.index !== null ? doc.stages[event.index] : undefined;
  // Events about one target of a fleet stage change that target's records, not the stage's.
  const target = stage && 'target' in event && typeof event.target === 'string' ? targetOf(stage, event.target) : undefined;
  const unit: StageState | TargetState | undefined = target ?? stage;
  switch (event.type) {
    case 'run.started':
      return 'transition';
    case 'run.resumed':
      Object.assign(doc, { status: 'running', finishedAt: null, interruptedBy: null, blocked: null, resumes: doc.resumes + 1 });
      return 'transition';
    case 'stage.started':
      finishPreviousPause(doc, event.index);
      if (stage) Object.assign(stage, { status: 'deploying', step: stage.targets ? 'batches' : 'deploy', startedAt: event.time, finishedAt: null });
      return 'transition';
    case 'deploy.started':
      if (unit) unit.deploy = { command: event.command, exitCode: null, signal: null, timedOut: false, durationMs: null };
      return 'transition';
    case 'deploy.finished':
      if (unit) Object.assign(unit.deploy, { exitCode: event.exitCode, signal: event.signal, timedOut: event.timedOut, durationMs: event.durationMs });
      if (target && event.exitCode === 0 && !event.timedOut) target.status = 'verifying';
      return 'transition';
    case 'soak.started':
      if (target) {
        target.status = 'soaking';
        target.checkResults = freshResults(event);
      } else if (stage?.targets) {
        // A fleet stage's bake: its fleet checks are the stage's own results; the stage stays at its batches.
        stage.soak = { ms: event.soakMs, startedAt: event.time };
        stage.checkResults = freshResults(event);
      } else if (stage) {
        startSoak(stage, event);
        stage.step = 'soak';
      }
      return 'transition';
    case 'check.polled': {
      const stage = unit;
      if (!stage) return 'none';
      stage.checkResults.polls++;
      // A dryRun check's misses are shown apart: counted with the deciding ones they would read as
      // reasons the stage failed.
      if (!event.ok && event.dryRun) stage.checkResults.dryRunFailures = (stage.checkResults.dryRunFailures ?? 0) + 1;
      else if (!event.ok) stage.checkResults.failures++;
      if (event.error) stage.checkResults.lastError = `${event.check}: ${event.error.message}`;
      const check = stage.checkResults.checks.find((c) => c.name === event.check);
      if (check) {
        Object.assign(check, {
          polls: event.polls,
          failures: event.failures,
          consecutiveFailures: event.consecutiveFailures,
          lastOk: event.ok,
          lastStatus: event.status,
          lastLatencyMs: event.latencyMs,
          lastError: event.error && { kind: event.error.kind, message: shortText(event.error.message) ?? '' },
          lastPolledAt: event.time,
          kind: event.kind,
          counts: { ...event.counts },
          consecutiveErrors: event.consecutiveErrors,
        });
        const measurement = {
          at: event.time,
          outcome: event.outcome,
          display: shortText(event.display) ?? '',
          condition: event.condition,
          reason: shortText(event.reason),
        };
        check.last = measurement;
        if (event.outcome !== 'pass') check.lastBad = measurement;
        delete check.recent; // a 0.1.0 document's list is superseded by `last` once the check polls again
      }
      return 'progress';
    }
    case 'check.finished': {
      const check = unit?.checkResults.checks.find((c) => c.name === event.check);
      if (check) Object.assign(check, { verdict: event.verdict, verdictReason: event.reason });
      return 'progress';
    }
    case 'stage.passed':
      if (stage) Object.assign(stage, { status: 'succeeded', step: 'done', finishedAt: event.time });
      // Event logs written before `inconclusive` existed (0.1.0's) have none.
      if (stage && (event.inconclusive ?? []).length > 0) stage.checkResults.inconclusive = event.inconclusive;
      return 'transition';
    case 'stage.failed':
      if (stage) Object.assign(stage, { status: 'failed', step: 'done', finishedAt: event.time });
      doc.failure = { stage: event.stage, reason: event.reason, check: event.check ?? null, value: event.value ?? null };
      return 'transition';
    case 'stage.skipped':
      if (stage) stage.status = 'skipped';
      return 'transition';
    case 'stage.blocked':
      finishPreviousPause(doc, event.index);
      if (stage) stage.step = 'window';
      doc.blocked = { stage: event.stage, rule: event.rule, nextOpenAt: event.nextOpenAt, message: event.message };
      return 'transition';
    case 'stage.pausing':
      // A transition now: a run interrupted here is resumed by waiting the pause again, not by skipping it.
      if (stage) stage.step = 'pause';
      return 'transition';
    case 'gate.opened':
      doc.gate = { ...event.gate, decision: null };
      if (stage) stage.step = 'gate';
      return 'transition';
    case 'gate.decided':
      if (doc.gate && doc.gate.id === event.gateId) doc.gate.decision = { decision: event.decision, by: event.by, reason: event.reason, at: event.time };
      if (stage) stage.step = 'done';
      return 'transition';
    case 'window.waiting':
      finishPreviousPause(doc, event.index);
      return 'progress';
    case 'window.overridden':
      doc.windowOverrides = [...(doc.windowOverrides ?? []), { stage: event.stage, rule: event.rule, reason: event.reason, by: event.by, at: event.time }];
      return 'transition';
    case 'rollback.started':
      // A fleet stage is being undone as a whole once the run's rollback names it (a failed target's own rollback is not).
      for (const name of event.stages) {
        const undoing = doc.stages.find((s) => s.name === name);
        if (undoing?.targets && wasDeployed(undoing)) undoing.status = 'rolling_back';
      }
      return 'transition';
    case 'rollback.step.started':
      if (target) {
        target.status = 'rolling_back';
        target.rollback = { command: event.command, exitCode: null, durationMs: null, timedOut: false, skipped: null };
      } else if (stage) {
        stage.status = 'rolling_back';
        stage.rollback = { command: event.command, exitCode: null, durationMs: null, timedOut: false, skipped: null };
      } else {
        doc.rollback = { command: event.command, exitCode: null, durationMs: null, timedOut: false };
        for (const s of doc.stages) if (wasDeployed(s)) s.status = 'rolling_back';
      }
      return 'transition';
    case 'rollback.step.finished': {
      const ok = event.exitCode === 0 && !event.timedOut && event.error === undefined;
      const result = { exitCode: event.exitCode, durationMs: event.durationMs, timedOut: event.timedOut };
      if (event.stage === null && doc.rollback) Object.assign(doc.rollback, result);
      if (target && stage) {
        Object.assign(target.rollback, result);
        target.status = ok ? 'rolled_back' : 'rollback_failed';
        settleFleetUndo(stage);
      }
      for (const name of event.stages) {
        const undone = doc.stages.find((s) => s.name === name);
        if (!undone) continue;
        Object.assign(undone.rollback, result, event.stage === null ? { command: doc.rollback?.command ?? null } : {});
        undone.status = ok ? 'rolled_back' : 'rollback_failed';
        // The plan's one rollback command undoes every target a fleet stage deployed.
        for (const t of undone.targets ?? []) if (isTargetDeployed(t)) t.status = undoneStatus(ok);
      }
      return 'transition';
    }
    case 'rollback.step.skipped':
      if (unit) unit.rollback.skipped = event.reason;
      if (target && stage) {
        // Nothing to run: the target stays as it is (failed, or on the new version), and the stage's undo is over for it.
        settleFleetUndo(stage);
      }
      return 'transition';
    case 'batch.started':
    case 'target.started':
    case 'verify.finished':
    case 'target.passed':
    case 'target.failed':
    case 'target.retrying':
    case 'batch.baking':
    case 'batch.finished':
      return applyFleetEvent(doc, stage, target, event);
    case 'rollback.finished':
      return 'transition';
    case 'run.finished':
      doc.status = event.status;
      doc.finishedAt = event.time;
      doc.interruptedBy = event.status === 'interrupted' ? event.signal : null;
      if (event.failure) doc.failure = { ...(doc.failure?.stage === event.failure.stage ? doc.failure : {}), ...event.failure };
      return 'transition';
  }
}

function startSoak(stage: StageState, event: SoakStarted): void {
  stage.status = 'soaking';
  stage.soak = { ms: event.soakMs, startedAt: event.time };
  stage.checkResults = freshResults(event);
}

function freshResults(event: SoakStarted): StageState['checkResults'] {
  return {
    polls: 0,
    failures: 0,
    lastError: null,
    checks: event.checks.map((c) => ({
      name: c.name,
      // Logs written by 0.1.0 (the report folds them too) have only `url`.
      description: c.description ?? c.url,
      polls: 0,
      failures: 0,
      consecutiveFailures: 0,
      lastOk: null,
      lastStatus: null,
      lastLatencyMs: null,
      lastError: null,
      lastPolledAt: null,
      kind: c.kind,
      dryRun: c.dryRun,
      counts: { pass: 0, fail: 0, inconclusive: 0, error: 0 },
      consecutiveErrors: 0,
      last: null,
      lastBad: null,
      verdict: null,
      verdictReason: null,
    })),
  };
}

/**
 * A pause that ran to its end says so by what follows it: the next stage's window check or start.
 * (`stage.pausing` is the only pause event; its end is not an event of its own.)
 */
function finishPreviousPause(doc: StateDocument, index: number): void {
  const previous = doc.stages[index - 1];
  if (previous?.step === 'pause') previous.step = 'done';
}

/**
 * The stage's step: the recorded cursor, or — for a document written before the cursor existed —
 * what its status implies (such a document can have no interrupted pause: pauses came with it).
 */
export function stageStep(stage: StageState): StageStep {
  if (stage.step !== undefined) return stage.step;
  switch (stage.status) {
    case 'pending':
      return 'window';
    case 'deploying':
      return 'deploy';
    case 'soaking':
      return 'soak';
    default:
      return 'done';
  }
}

/** A stage whose deploy command started (so something may need undoing), and is not undone yet. */
export function wasDeployed(stage: StageState): boolean {
  // A fleet stage is deployed where any of its targets is: one whose batch never started changed nothing.
  if (stage.targets && stage.status !== 'rolling_back' && stage.status !== 'rollback_failed') return stage.targets.some(isTargetDeployed);
  return ['deploying', 'soaking', 'succeeded', 'failed', 'rolling_back', 'rollback_failed'].includes(stage.status);
}

/** Display and reason texts cut to a bounded length: the full text is in the event log (an old log may have none). */
export function shortText(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  if (text.length <= SUMMARY_TEXT_MAX) return text;
  return `${text.slice(0, SUMMARY_TEXT_MAX - 1)}…`;
}
