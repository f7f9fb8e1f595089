import type { ChalkInstance } from 'chalk';
import type { CheckPolled, Outcome, OutcomeCounts, SoakStarted } from '../engine/events.js';
import { formatDuration } from '../plan/duration.js';
import { outcomeMark } from './measurement.js';

/** What a reporter remembers about the soak in progress, to say how it is going. */
export class SoakStatus {
  /**
   * Each check's last result, as `describe` shows it: not the whole event, which would keep every
   * check's last measured value (an HTTP answer's headers and body) alive for a poll interval.
   */
  private readonly last = new Map<string, { outcome: Outcome; result: string; counts: OutcomeCounts }>();

  constructor(
    readonly event: SoakStarted,
    readonly startedAtMs: number,
  ) {}

  record(poll: CheckPolled): void {
    this.last.set(poll.check, {
      outcome: poll.outcome ?? (poll.ok ? 'pass' : 'fail'),
      result: poll.outcome === 'pass' || poll.condition !== null ? poll.display : (poll.reason ?? poll.error?.message ?? poll.outcome),
      counts: poll.counts ?? { pass: poll.polls - poll.failures, fail: poll.failures, inconclusive: 0, error: 0 },
    });
  }

  /** `12s left · healthz ✓ HTTP 200 in 14ms (6 ok, 0 failed)` · `error-rate 0.034 ✗ (3 ok, 1 failed)`. */
  describe(nowMs: number, c: ChalkInstance): string {
    const left = Math.max(0, this.event.soakMs - (nowMs - this.startedAtMs));
    const head = left > 0 ? `${formatDuration(left)} left` : this.event.checks.length === 0 ? 'soak over' : 'soak over; waiting for the checks to settle';
    const checks = this.event.checks.map(({ name }) => {
      const last = this.last.get(name);
      if (!last) return `${name} ${c.dim('…')}`;
      const { outcome, result, counts } = last;
      const extra = [counts.inconclusive > 0 ? `${counts.inconclusive} inconclusive` : '', counts.error > 0 ? `${counts.error} not measured` : '']
        .filter(Boolean)
        .map((t) => `, ${t}`)
        .join('');
      return `${name} ${outcomeMark(outcome, c)} ${result} (${counts.pass} ok, ${counts.fail} failed${extra})`;
    });
    return [head, ...checks].join(' · ');
  }
}
