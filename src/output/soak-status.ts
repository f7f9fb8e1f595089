import type { ChalkInstance } from 'chalk';
import type { CheckPolled, SoakStarted } from '../engine/events.js';
import { formatDuration } from '../plan/duration.js';

/** What a reporter remembers about the soak in progress, to say how it is going. */
export class SoakStatus {
  private readonly last = new Map<string, CheckPolled>();

  constructor(
    readonly event: SoakStarted,
    readonly startedAtMs: number,
  ) {}

  record(event: CheckPolled): void {
    this.last.set(event.check, event);
  }

  /** `12s left · healthz ✓ 200 14ms (6 ok, 0 failed)`. */
  describe(nowMs: number, c: ChalkInstance): string {
    const left = Math.max(0, this.event.soakMs - (nowMs - this.startedAtMs));
    const head = left > 0 ? `${formatDuration(left)} left` : 'waiting for a first healthy answer';
    const checks = this.event.checks.map(({ name }) => {
      const poll = this.last.get(name);
      if (!poll) return `${name} ${c.dim('…')}`;
      const mark = poll.ok ? c.green('✓') : c.red('✗');
      const result = poll.ok ? `${poll.status} ${Math.round(poll.latencyMs)}ms` : (poll.error?.message ?? 'failed');
      return `${name} ${mark} ${result} (${poll.polls - poll.failures} ok, ${poll.failures} failed)`;
    });
    return [head, ...checks].join(' · ');
  }
}
