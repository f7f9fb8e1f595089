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
 * (HTTP status, body, latency; exit 1) → fail, or could not decide (a comparison short of samples)
 * → inconclusive, whatever the conditions and onNoData say; no data → `onNoData`; `fail:` holds → fail;
 * `pass:` holds → pass, else fail (or inconclusive when a `fail:` is given too and does not hold);
 * no condition → the kind's verdict.
 * No data is an empty answer, and also a NaN (0/0: a ratio whose denominator side had no traffic)
 * or a list of nothing but NaN: a number that says nothing must never fail a `pass:` condition.
 * A condition that cannot be evaluated on this value (a missing JSON key, `matches("[")`, a string
 * compared with a number) is an *error* of the check — it could not judge — never a fail of the canary.
 */
export function judge(check: Pick<CheckSettings, 'pass' | 'fail' | 'onNoData'>, m: Measurement): Judgement {
  if (m.error) return { outcome: 'error', condition: null, reason: m.error.message, errorKind: m.error.kind };
  if (m.verdict === 'fail') return { outcome: 'fail', condition: null, reason: m.reason ?? m.display, errorKind: m.reasonKind ?? 'fail' };
  if (m.verdict === 'inconclusive')
    return { outcome: 'inconclusive', condition: null, reason: m.reason ?? m.display, errorKind: m.reasonKind ?? 'inconclusive' };
  const conditional = check.pass !== null || check.fail !== null;
  if ((m.noData || saysNothing(m.value)) && (conditional || m.verdict === undefined)) {
    const what = m.noData ? 'no data' : `no data (${m.display})`;
    const reason = `${what} (onNoData: ${check.onNoData})`;
    return { outcome: check.onNoData, condition: null, reason: check.onNoData === 'pass' ? null : reason, errorKind: 'no-data' };
  }
  if (check.fail !== null) {
    const failed = evaluateCondition(check.fail, m.value);
    if (!failed.ok) return cannotJudge(`fail: ${check.fail}`, m, failed.message);
    if (failed.holds) return { outcome: 'fail', condition: `fail: ${check.fail}`, reason: `${m.display} meets fail: ${check.fail}`, errorKind: 'condition' };
  }
  if (check.pass !== null) {
    const passed = evaluateCondition(check.pass, m.value);
    if (!passed.ok) return cannotJudge(`pass: ${check.pass}`, m, passed.message);
    if (passed.holds) return { outcome: 'pass', condition: `pass: ${check.pass}`, reason: null, errorKind: null };
    const why = `${m.display} does not meet pass: ${check.pass}`;
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

/** NaN, or a non-empty list of nothing but NaN. */
function saysNothing(value: unknown): boolean {
  if (typeof value === 'number') return Number.isNaN(value);
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'number' && Number.isNaN(item));
}

function cannotJudge(condition: string, m: Measurement, message: string): Judgement {
  return { outcome: 'error', condition, reason: `${condition} cannot be evaluated on ${m.display}: ${message}`, errorKind: 'condition-error' };
}
