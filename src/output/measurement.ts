import type { ChalkInstance } from 'chalk';
import type { CheckPolled, Outcome } from '../engine/events.js';

/** One mark per outcome: pass ✓, fail ✗, inconclusive ?, could not measure !. */
export function outcomeMark(outcome: Outcome, c: ChalkInstance): string {
  return { pass: c.green('✓'), fail: c.red('✗'), inconclusive: c.yellow('?'), error: c.magenta('!') }[outcome];
}

/**
 * A measurement as one line: `error-rate 0.034 ✗ (pass: result < 0.01)` when a condition decided,
 * else `✓ hz: HTTP 200 in 12ms` / `✗ hz: HTTP 503 (expected 2xx): {…} (1 of 3 in a row)`.
 */
export function measurementLine(event: CheckPolled, c: ChalkInstance, failureThreshold?: number): string {
  const mark = outcomeMark(event.outcome, c);
  const dry = event.dryRun ? c.dim(' [dryRun]') : '';
  const run =
    event.outcome === 'fail'
      ? ` (${failureThreshold === undefined ? event.consecutiveFailures : `${event.consecutiveFailures} of ${failureThreshold}`} in a row)`
      : event.outcome === 'error'
        ? ` (could not measure, ${event.consecutiveErrors} in a row)`
        : '';
  if (event.condition !== null) return `${event.check} ${event.display} ${mark} (${event.condition})${run}${dry}`;
  const text = event.outcome === 'pass' ? event.display : (event.reason ?? event.error?.message ?? event.outcome);
  return `${mark} ${event.check}: ${text}${run}${dry}`;
}
