import { isoTime } from '../clock.js';
import type { Context } from '../context.js';
import { type EventLog, fileEventLogStore } from './event-log.js';
import { describeOrigin } from './origin.js';

/**
 * Opens the event log a session records for `rollout report`. `redact` is applied to the
 * header (a user name or job URL can hold a secret); events arrive already redacted.
 */
export function recordEvents(
  ctx: Context,
  session: { statePath: string; runId: string; command: string },
  redact: <T>(value: T) => T,
  warn: (message: string) => void,
): EventLog {
  const origin = redact(describeOrigin(ctx.env, ctx.host));
  const opened = { type: 'log.opened' as const, time: isoTime(ctx.clock.now()), runId: session.runId, command: session.command, origin };
  return fileEventLogStore(session.statePath).open(opened, warn);
}
