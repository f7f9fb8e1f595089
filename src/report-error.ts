import type { Context } from './context.js';
import { ExitCode, RolloutError } from './errors.js';

/**
 * Prints an error a command threw and returns its exit code: a RolloutError's own code and
 * message; anything else is a bug, reported in one line (the stack only under ROLLOUT_DEBUG).
 */
export function reportError(error: unknown, ctx: Pick<Context, 'term' | 'env'>): number {
  const c = ctx.term.color;
  if (error instanceof RolloutError) {
    ctx.term.err.write(`${c.red('error:')} ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.term.err.write(`${c.red('error:')} ${message}\n`);
  if (ctx.env.ROLLOUT_DEBUG && error instanceof Error && error.stack) ctx.term.err.write(`${error.stack}\n`);
  else ctx.term.err.write('(an unexpected error; set ROLLOUT_DEBUG=1 for details)\n');
  return ExitCode.failed;
}
