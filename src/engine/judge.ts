import type { Measurement } from '../checks/kind.js';
import { evaluateCondition } from '../conditions/condition.js';
import type { CheckSettings } from '../plan/types.js';
import type { Outcome, PollError } from './events.js';

export interface Judgement {
  outcome: Outcome;
  /** The condition that decided, e.g. `pass: result < 0.01`; null when the kind's own rules did. */
  condition: string | null;
  /** Why, in words, when the outcome is not a pass. */
  reason: string | null;
  errorKind: string | null;
}

/**
 * One measurement's outcome. In order: could not measure → error; the kind's own rules said fail
 * (HTTP status, body, latency; exit 1) → fail; no data → `onNoData`; `fail:` holds → fail;
 * `pass:` holds → pass, else fail (or inconclusive when a `fail:` is given too and does not hold);
 * no condition → the kind's verdict. A condition that cannot be evaluated on this value (a missing
 * JSON key) does not hold.
 */
export function judge(check: Pick<CheckSettings, 'pass' | 'fail' | 'onNoData'>, m: Measurement): Judgement {
  if (m.error) return { outcome: 'error', condition: null, reason: m.error.message, errorKind: m.error.kind };
  if (m.verdict === 'fail') return { outcome: 'fail', condition: null, reason: m.reason ?? m.display, errorKind: m.reasonKind ?? 'fail' };
  const conditional = check.pass !== null || check.fail !== null;
  if (m.noData && (conditional || m.verdict === undefined)) {
    const reason = `no data (onNoData: ${check.onNoData})`;
    return { outcome: check.onNoData, condition: null, reason: check.onNoData === 'pass' ? null : reason, errorKind: 'no-data' };
  }
  if (check.fail !== null) {
    const failed = evaluateCondition(check.fail, m.value);
    if (failed.ok && failed.holds) {
      return { outcome: 'fail', condition: `fail: ${check.fail}`, reason: `${m.display} meets fail: ${check.fail}`, errorKind: 'condition' };
    }
  }
  if (check.pass !== null) {
    const passed = evaluateCondition(check.pass, m.value);
    if (passed.ok && passed.holds) return { outcome: 'pass', condition: `pass: ${check.pass}`, reason: null, errorKind: null };
    const why = passed.ok ? `${m.display} does not meet pass: ${check.pass}` : `${m.display}: pass: ${check.pass} could not be evaluated (${passed.message})`;
    if (check.fail !== null)
      return { outcome: 'inconclusive', condition: `pass: ${check.pass}`, reason: `${why}, nor fail: ${check.fail}`, errorKind: 'condition' };
    return { outcome: 'fail', condition: `pass: ${check.pass}`, reason: why, errorKind: 'condition' };
  }
  if (check.fail !== null) return { outcome: 'pass', condition: `fail: ${check.fail}`, reason: null, errorKind: null };
  return { outcome: 'pass', condition: null, reason: null, errorKind: null };
}

/** `check.polled.error`: null for a pass. */
export function pollError(j: Judgement): PollError | null {
  return j.outcome === 'pass' ? null : { kind: j.errorKind ?? j.outcome, message: j.reason ?? j.outcome };
}
