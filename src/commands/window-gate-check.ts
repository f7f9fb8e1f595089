import type { Gate } from '../engine/events.js';
import type { WindowOverride } from '../engine/window-gate.js';
import { ExitCode, RolloutError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import { checkWindows } from '../windows/evaluate.js';

/**
 * `rollout promote` on a gate that `onBlocked: pause` opened before a stage: the stage may start
 * only when its window is open now, or with `--override-window --reason` (recorded as the stage
 * starts). Refused otherwise with exit 6 ("blocked by a window"), leaving the gate open and
 * unspent, so a later job can promote it once the window opens. Other gates pass through.
 */
export function checkWindowGate(gate: Gate, plan: Plan, nowMs: number, override: WindowOverride | null): void {
  if (gate.kind !== 'window' || override !== null || plan.windows === null) return;
  const verdict = checkWindows(plan.windows, nowMs);
  if (verdict.open) return;
  throw new RolloutError(
    `gate ${gate.id} waits for ${gate.stage}'s deploy window, which is still closed: ${verdict.message}. ` +
      `Promote it once the window is open, or now with --override-window --reason TEXT (recorded); the gate stays open.`,
    ExitCode.blocked,
  );
}
