import type { Context } from './context.js';
import { ExitCode, RolloutError } from './errors.js';
import { escapeControl } from './output/escape-control.js';
import { issuesUrl } from './version.js';

/**
 * Prints an error a command threw and returns its exit code: a RolloutError's own code and
 * message; anything else is a bug, reported in one line (the stack only under ROLLOUT_DEBUG) and
 * exits 70 (EX_SOFTWARE), so a CI never mistakes it for a failed stage (1).
 */
export async function reportError(error: unknown, ctx: Pick<Context, 'term' | 'env' | 'cwd'>): Promise<number> {
  const c = ctx.term.color;
  if (error instanceof RolloutError) {
    ctx.term.err.write(`${c.red('error:')} ${escapeControl(error.message)}\n`);
    if (error.exitCode === ExitCode.badInput && (ctx.env.GITHUB_ACTIONS === 'true' || ctx.env.GITLAB_CI === 'true')) {
      (await import('./output/ci-input-errors.js')).reportInputErrorToCi(error, ctx);
    }
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.term.err.write(`${c.red('error:')} ${escapeControl(message)}\n`);
  if (ctx.env.ROLLOUT_DEBUG && error instanceof Error && error.stack) ctx.term.err.write(`${error.stack}\n`);
  else ctx.term.err.write(`(an internal error in rollout; please report it at ${issuesUrl}, with what the same command prints under ROLLOUT_DEBUG=1)\n`);
  return ExitCode.internal;
}
