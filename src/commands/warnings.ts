import { isoTime } from '../clock.js';
import type { Context } from '../context.js';
import type { Warning } from '../engine/events.js';
import type { Reporter } from '../output/reporter.js';
import type { EventLog } from '../report/event-log.js';
import type { Redactor } from '../secrets/redact.js';

export interface Warnings {
  /** Says a warning: a `warning` event, redacted, to the reporter and the event log. */
  warn(message: string): void;
  /** The run's event log, once open: it records the warnings said before it too. */
  record(log: EventLog): void;
}

/**
 * A run's warnings are events, so every reader sees the same record: the reporter renders them,
 * the event log keeps them (and `rollout report` shows them). Those said before the log opens
 * (secrets, the lock) are kept for it; it opens only once the lock is held.
 */
export function createWarnings(ctx: Context, runId: string, redactor: Redactor, reporter: Reporter): Warnings {
  let log: EventLog | null = null;
  const early: Warning[] = [];
  return {
    warn(message) {
      const event: Warning = { type: 'warning', time: isoTime(ctx.clock.now()), runId, message: redactor.text(message) };
      if (log) log.append(event);
      else early.push(event);
      void reporter.handle(event);
    },
    record(opened) {
      log = opened;
      for (const event of early.splice(0)) opened.append(event);
    },
  };
}
