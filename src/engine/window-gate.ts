import { isoTime } from '../clock.js';
import type { Plan, Stage } from '../plan/types.js';
import { checkWindows } from '../windows/evaluate.js';
import { type EngineDeps, gateId } from './deps.js';
import type { EmitInput, Gate } from './events.js';

/** `--override-window --reason …`: start blocked stages anyway, on the record. */
export interface WindowOverride {
  reason: string;
  by: string;
}

export type WindowOutcome = { kind: 'open' } | { kind: 'blocked'; reason: string } | { kind: 'gate'; gate: Gate } | { kind: 'interrupted' };

/**
 * Asks the plan's windows whether `stage` may start now — at the moment it is about to start, not
 * when the run began, so a long rollout cannot carry a stage into a freeze. `onBlocked: wait` sleeps
 * (interruptibly) until the window opens when that is within `maxWait`; otherwise the stage is blocked.
 * `onBlocked: pause` stops at a gate before the stage instead (status `paused`, exit 7), so the
 * pipeline can continue it with `rollout promote` once the window is open, as for an approval.
 */
export async function awaitWindow(plan: Plan, stage: Stage, deps: EngineDeps, emit: EmitInput, override: WindowOverride | null): Promise<WindowOutcome> {
  const windows = plan.windows;
  if (windows === null) return { kind: 'open' };
  const waitUntil = windows.onBlocked === 'wait' && windows.maxWaitMs !== null ? deps.clock.now() + windows.maxWaitMs : null;
  for (;;) {
    const verdict = checkWindows(windows, deps.clock.now());
    if (verdict.open) return { kind: 'open' };
    if (override !== null) {
      emit({ type: 'window.overridden', stage: stage.name, index: stage.index, rule: verdict.rule, reason: override.reason, by: override.by });
      return { kind: 'open' };
    }
    if (waitUntil !== null && verdict.nextOpenMs !== null && verdict.nextOpenMs <= waitUntil) {
      emit({ type: 'window.waiting', stage: stage.name, index: stage.index, rule: verdict.rule, until: isoTime(verdict.nextOpenMs) });
      await deps.clock.sleep(verdict.nextOpenMs - deps.clock.now(), deps.signal);
      if (deps.signal.aborted) return { kind: 'interrupted' };
      continue;
    }
    const nextOpenAt = verdict.nextOpenMs === null ? null : isoTime(verdict.nextOpenMs);
    if (windows.onBlocked === 'pause') {
      const gate = windowGate(plan, stage, verdict.rule, verdict.message, nextOpenAt, deps);
      await emit({ type: 'gate.opened', stage: stage.name, index: stage.index, gate });
      return { kind: 'gate', gate };
    }
    const message = waitUntil !== null && verdict.nextOpenMs !== null ? `${verdict.message} (beyond maxWait)` : verdict.message;
    emit({ type: 'stage.blocked', stage: stage.name, index: stage.index, rule: verdict.rule, nextOpenAt, message });
    return { kind: 'blocked', reason: message };
  }
}

/**
 * A gate before a stage its window blocks. It does not expire: the window says when it may go on,
 * and `rollout promote` refuses while the window is still closed (see src/commands/window-gate-check.ts).
 */
function windowGate(plan: Plan, stage: Stage, rule: string, message: string, nextOpenAt: string | null, deps: EngineDeps): Gate {
  const now = deps.clock.now();
  return {
    id: gateId(stage.name, deps),
    stage: stage.name,
    index: stage.index,
    kind: 'window',
    reason: message,
    rule,
    nextOpenAt,
    createdAt: isoTime(now),
    expiresAt: null,
    onTimeout: 'abort',
    nonce: deps.randomHex(16),
    planSha256: plan.sha256,
  };
}
