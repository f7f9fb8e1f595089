import type { CheckSettings } from '../plan/types.js';
import type { CheckVerdict, Outcome, OutcomeCounts } from './events.js';

/**
 * The verdict rules for one check over one soak, as a pure fold over its outcomes (see
 * docs/checks.md, "Verdict rules"):
 * - `failureThreshold` fails in a row decide `fail`; only a pass breaks the run (an inconclusive or
 *   error measurement is no evidence of health);
 * - `maxFailures: N` tolerates N fails over the soak, the N+1th decides `fail`;
 * - `maxConsecutiveErrors` measurements in a row that could not be taken decide `error` ("could not
 *   measure"), which fails the stage but is not a canary failure;
 * - at the end, fewer than `minSamples` decisive (pass/fail) measurements, or not a single pass,
 *   is `inconclusive`; otherwise `pass`.
 */
export interface Tally {
  samples: number;
  counts: OutcomeCounts;
  consecutiveFailures: number;
  consecutiveErrors: number;
  last: Outcome | null;
  /** Reason of the last non-pass measurement. */
  lastReason: string | null;
  /** Set once the check has decided (fail or error); later measurements change nothing. */
  decided: { verdict: 'fail' | 'error'; reason: string } | null;
}

export type Rules = Pick<CheckSettings, 'failureThreshold' | 'maxFailures' | 'minSamples' | 'maxConsecutiveErrors'>;

export function newTally(): Tally {
  return {
    samples: 0,
    counts: { pass: 0, fail: 0, inconclusive: 0, error: 0 },
    consecutiveFailures: 0,
    consecutiveErrors: 0,
    last: null,
    lastReason: null,
    decided: null,
  };
}

/** How reasons name a check: by its kind and name, e.g. "prometheus check error-rate". */
export function checkSubject(check: { kind: string; name: string }): string {
  return `${check.kind} check ${check.name}`;
}

/**
 * Folds one measurement in (in place); returns the decision it caused, if any. `subject` names the
 * check (checkSubject); `errorKind` tells an error of judging (a condition that could not be
 * evaluated: 'condition-error') from one of measuring.
 */
export function record(
  subject: string,
  rules: Rules,
  tally: Tally,
  outcome: Outcome,
  reason: string | null,
  errorKind: string | null = null,
): Tally['decided'] {
  if (tally.decided) return null;
  tally.samples++;
  tally.counts[outcome]++;
  tally.last = outcome;
  if (outcome !== 'pass') tally.lastReason = reason;
  if (outcome === 'pass') tally.consecutiveFailures = 0;
  if (outcome === 'fail') tally.consecutiveFailures++;
  tally.consecutiveErrors = outcome === 'error' ? tally.consecutiveErrors + 1 : 0;

  const why = reason ?? outcome;
  if (outcome === 'fail' && tally.consecutiveFailures >= rules.failureThreshold) {
    const times = tally.consecutiveFailures === 1 ? 'once' : `${tally.consecutiveFailures} times in a row`;
    tally.decided = { verdict: 'fail', reason: `${subject} failed ${times}: ${why}` };
  } else if (outcome === 'fail' && rules.maxFailures !== null && tally.counts.fail > rules.maxFailures) {
    tally.decided = { verdict: 'fail', reason: `${subject} failed ${tally.counts.fail} times (maxFailures: ${rules.maxFailures}): ${why}` };
  } else if (outcome === 'error' && tally.consecutiveErrors >= rules.maxConsecutiveErrors) {
    const times = tally.consecutiveErrors === 1 ? '' : ` (${tally.consecutiveErrors} times in a row)`;
    const could = errorKind === 'condition-error' ? 'could not judge' : 'could not measure';
    tally.decided = { verdict: 'error', reason: `${could} ${subject}${times}: ${why}` };
  }
  return tally.decided;
}

/**
 * After the soak's end, an undecided check measures on while a fail or error run is in progress
 * (it may reach its limit, or clear with a pass), or while it has no measurement at all. This
 * keeps today's rule that a soak of 0 means "each check passed once".
 */
export function continuesAfterSoak(tally: Tally): boolean {
  if (tally.decided) return false;
  return tally.last === null || tally.last === 'fail' || tally.last === 'error';
}

/** The check's verdict once it stops measuring. */
export function finalVerdict(rules: Rules, tally: Tally): { verdict: CheckVerdict; reason: string | null } {
  if (tally.decided) return tally.decided;
  const decisive = tally.counts.pass + tally.counts.fail;
  if (tally.samples === 0) return { verdict: 'inconclusive', reason: 'no measurement was taken' };
  if (decisive < rules.minSamples) {
    const last = tally.lastReason ? `; last: ${tally.lastReason}` : '';
    return {
      verdict: 'inconclusive',
      reason: `${decisive} of ${rules.minSamples} decisive measurement${rules.minSamples === 1 ? '' : 's'} (minSamples)${last}`,
    };
  }
  if (tally.counts.pass === 0) return { verdict: 'inconclusive', reason: `no passing measurement${tally.lastReason ? `; last: ${tally.lastReason}` : ''}` };
  return { verdict: 'pass', reason: null };
}
