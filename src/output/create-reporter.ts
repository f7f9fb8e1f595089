import type { Context } from '../context.js';
import { PlainReporter } from './plain-reporter.js';
import type { Reporter } from './reporter.js';
import { TtyReporter } from './tty-reporter.js';

/** Spinners only for a person at a terminal; CI logs and pipes get plain timestamped lines. */
export function createReporter(ctx: Pick<Context, 'term' | 'clock'>): Reporter {
  const options = { term: ctx.term, clock: ctx.clock };
  return ctx.term.isTTY && !ctx.term.isCI ? new TtyReporter(options) : new PlainReporter(options);
}
