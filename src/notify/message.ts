import type { CheckPolled, GateDecision, RolloutEvent, RunStatus } from '../engine/events.js';
import { gatePlace } from '../output/gate-text.js';
import { formatDuration } from '../plan/duration.js';
import type { NotifyEvent } from '../plan/types.js';

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
  check?: {
    name: string;
    status: number | null;
    error: string | null;
    latencyMs: number;
    value: unknown;
    display: string;
    outcome: string;
    condition: string | null;
  };
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

/** The webhook message for an event of interest, or null for events no one is told about. */
export function notifyPayload(event: RolloutEvent, plan: string, lastFailedPoll: CheckPolled | undefined): NotifyPayload | null {
  const base = { runId: event.runId, plan, time: event.time };
  switch (event.type) {
    case 'run.started':
      return { ...base, event: event.type, text: `🚀 rollout ${plan} started: ${event.stages.join(' → ')} (run ${event.runId})` };
    case 'stage.passed':
      return { ...base, event: event.type, stage: event.stage, text: `✅ ${plan}: stage ${event.stage} passed in ${formatDuration(event.durationMs)}` };
    case 'stage.failed': {
      const poll = lastFailedPoll?.stage === event.stage && (event.check === null || lastFailedPoll.check === event.check) ? lastFailedPoll : undefined;
      const name = event.check ?? poll?.check ?? null;
      const shown = event.value ?? poll?.display ?? null;
      // The reason usually names the value already; say it only when it does not.
      // A comparison's reason already is its explanation (its display says it again, shorter: check.display).
      const compared = poll?.error?.kind === 'compare';
      const value = name !== null && shown !== null && !compared && !event.reason.includes(shown) ? ` (deciding value of ${name}: ${shown})` : '';
      return {
        ...base,
        event: event.type,
        stage: event.stage,
        reason: event.reason,
        text: `❌ ${plan}: stage ${event.stage} failed: ${event.reason}${value}`,
        ...(poll
          ? {
              check: {
                name: poll.check,
                status: poll.status,
                error: poll.error?.message ?? null,
                latencyMs: poll.latencyMs,
                value: poll.value,
                display: poll.display,
                outcome: poll.outcome,
                condition: poll.condition,
              },
            }
          : {}),
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
      const failure = event.failure ? ` at stage ${event.failure.stage}: ${event.failure.reason}` : '';
      return {
        ...base,
        event: event.type,
        status: event.status,
        ...(event.failure ? { stage: event.failure.stage, reason: event.failure.reason } : {}),
        text: `${STATUS_TEXT[event.status] ?? event.status}: rollout ${plan} run ${event.runId} in ${formatDuration(event.durationMs)}${failure}`,
      };
    }
    default:
      return null;
  }
}

/** How a gate's decision reads; `fail` is an expired gate's `onTimeout: fail`. */
const DECIDED = { promote: 'promoted', abort: 'aborted', fail: 'failed' } as const satisfies Record<GateDecision, string>;
