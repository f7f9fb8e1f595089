import type { GateDecision, RolloutEvent, RunStatus } from '../engine/events.js';
import { gatePlace } from '../output/gate-text.js';
import { formatDuration } from '../plan/duration.js';
import type { NotifyEvent } from '../plan/types.js';
import type { StageState, StateDocument } from '../state/document.js';
import { type DecidingCheck, decidingCheck, type MeasuredDetail, wasCompared } from './deciding-check.js';
import { failedTargetsText, type StageTargets, stageTargets } from './fleet-targets.js';

/** The JSON body POSTed to a webhook. `text` is what Slack and Teams show; the rest is for machines. */
export interface NotifyPayload {
  text: string;
  event: NotifyEvent;
  runId: string;
  plan: string;
  time: string;
  stage?: string;
  status?: string;
  reason?: string;
  /** The check that failed the stage, with its deciding value. */
  check?: DecidingCheck;
  /** A fleet stage's targets (`stage.passed`, `stage.failed`): counts by status and the failed ones named. */
  targets?: StageTargets;
  /** A fleet stage whose failure budget was exceeded: which rule (`stage.failed`). */
  budget?: 'perBatch' | 'total' | 'minHealthy';
  /** Every fleet stage of the run with its targets (`run.finished`; absent when no stage has targets). */
  fleet?: StageTargets[];
}

const STATUS_TEXT = {
  succeeded: '✅ succeeded',
  failed: '❌ failed',
  rolled_back: '↩️ failed and rolled back',
  rollback_failed: '🚨 rollback failed: a human must look',
  interrupted: '⚠️ interrupted',
  blocked: '⏸️ stopped before a stage its deploy window blocks',
  paused: '✋ waiting at a gate for a person to promote or abort',
} satisfies Record<Exclude<RunStatus, 'running'>, string>;

const unheard: MeasuredDetail = () => undefined;

/**
 * The webhook message for an event of interest, or null for events no one is told about: a pure
 * function of the event and the run's document as the one fold (src/run/reduce.ts) left it after
 * that event — what the state store holds. `measured` only adds what the document does not keep of
 * the deciding measurement it names (its value: the event log's).
 */
export function notifyPayload(event: RolloutEvent, doc: StateDocument, measured: MeasuredDetail = unheard): NotifyPayload | null {
  const plan = doc.plan.name;
  const base = { runId: event.runId, plan, time: event.time };
  switch (event.type) {
    case 'run.started':
      return { ...base, event: event.type, text: `🚀 rollout ${plan} started: ${event.stages.join(' → ')} (run ${event.runId})` };
    case 'stage.passed': {
      const targets = fleetOf(stageIn(doc, event.stage, event.index));
      return {
        ...base,
        event: event.type,
        stage: event.stage,
        ...targets,
        text: `✅ ${plan}: stage ${event.stage} passed in ${formatDuration(event.durationMs)}${failedTargetsText(targets.targets ?? null)}`,
      };
    }
    case 'stage.failed': {
      const stage = stageIn(doc, event.stage, event.index);
      const check = stage && event.check !== null ? decidingCheck(stage, event.check, measured) : null;
      const shown = event.value ?? check?.display ?? null;
      // The reason usually names the value already; say it only when it does not.
      // A comparison's reason already is its explanation (its display says it again, shorter: check.display).
      const compared = stage !== undefined && event.check !== null && wasCompared(stage, event.check);
      const value = event.check !== null && shown !== null && !compared && !event.reason.includes(shown) ? ` (deciding value of ${event.check}: ${shown})` : '';
      const targets = fleetOf(stage);
      return {
        ...base,
        event: event.type,
        stage: event.stage,
        reason: event.reason,
        text: `❌ ${plan}: stage ${event.stage} failed: ${event.reason}${value}${failedTargetsText(targets.targets ?? null)}`,
        ...(check ? { check } : {}),
        ...targets,
        ...(event.budget ? { budget: event.budget } : {}),
      };
    }
    case 'gate.opened':
      return {
        ...base,
        event: event.type,
        stage: event.stage,
        reason: event.gate.reason,
        text: `✋ ${plan}: waiting at gate ${event.gate.id} ${gatePlace(event.gate)}: ${event.gate.reason} (rollout promote --gate ${event.gate.id} / rollout abort)`,
      };
    case 'gate.decided':
      return {
        ...base,
        event: event.type,
        stage: event.stage,
        ...(event.reason ? { reason: event.reason } : {}),
        text: `${event.decision === 'promote' ? '▶️' : '⏹️'} ${plan}: gate ${event.gateId} ${DECIDED[event.decision]} by ${event.by}${event.reason ? `: ${event.reason}` : ''}`,
      };
    case 'rollback.finished':
      return {
        ...base,
        event: event.type,
        status: event.ok ? 'rolled_back' : 'rollback_failed',
        text: event.ok ? `↩️ ${plan}: rollback finished` : `🚨 ${plan}: rollback failed for ${event.failedStages.join(', ')}: a human must look`,
      };
    case 'run.finished': {
      const fleet = doc.stages.flatMap((stage) => stageTargets(stage) ?? []);
      const failing = event.failure ? fleet.find((f) => f.stage === event.failure?.stage) : undefined;
      const failure = event.failure ? ` at stage ${event.failure.stage}: ${event.failure.reason}${failedTargetsText(failing ?? null)}` : '';
      return {
        ...base,
        event: event.type,
        status: event.status,
        ...(event.failure ? { stage: event.failure.stage, reason: event.failure.reason } : {}),
        ...(fleet.length > 0 ? { fleet } : {}),
        text: `${STATUS_TEXT[event.status] ?? event.status}: rollout ${plan} run ${event.runId} in ${formatDuration(event.durationMs)}${failure}`,
      };
    }
    default:
      return null;
  }
}

/** The stage an event is about, by its index (checked against its name: a document is the run's own). */
function stageIn(doc: StateDocument, name: string, index: number): StageState | undefined {
  const byIndex = doc.stages[index];
  return byIndex?.name === name ? byIndex : doc.stages.find((s) => s.name === name);
}

/** `{ targets }` for a fleet stage, nothing for a stage without targets. */
function fleetOf(stage: StageState | undefined): { targets?: StageTargets } {
  const targets = stage ? stageTargets(stage) : null;
  return targets ? { targets } : {};
}

/** How a gate's decision reads; `fail` is an expired gate's `onTimeout: fail`. */
const DECIDED = { promote: 'promoted', abort: 'aborted', fail: 'failed' } as const satisfies Record<GateDecision, string>;
