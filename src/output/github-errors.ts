import { isAbsolute, relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { PlanError, type RolloutError } from '../errors.js';
import { write } from './github.js';
import { formatOutputs, problemAnnotation } from './github-commands.js';

/**
 * Bad input under GitHub Actions: each plan problem as an `::error file=…,line=…,col=…::`
 * annotation (shown inline on the pull request's diff), and step outputs `status=invalid` with
 * the message, so a later `if:` step sees why nothing ran instead of empty outputs.
 */
export function reportInputErrorToGitHub(error: RolloutError, ctx: Pick<Context, 'term' | 'env' | 'cwd'>): void {
  if (ctx.env.GITHUB_ACTIONS !== 'true') return;
  if (error instanceof PlanError) {
    for (const problem of error.problems) ctx.term.err.write(`${problemAnnotation(problem, workspacePath(problem.file, ctx))}\n`);
  }
  const outputs = { status: 'invalid', 'failed-stage': '', 'run-id': '', 'failure-reason': error.message, message: error.message };
  write(ctx.env.GITHUB_OUTPUT, formatOutputs(outputs), 'step outputs', {
    warn: (message) => ctx.term.err.write(`warning: ${message}\n`),
  });
}

/** Annotations name files relative to the repository checkout, whatever directory we run in. */
function workspacePath(file: string, ctx: Pick<Context, 'env' | 'cwd'>): string {
  const absolute = resolve(ctx.cwd, file);
  const root = ctx.env.GITHUB_WORKSPACE;
  const inRoot = root ? relative(root, absolute) : '';
  return root && !inRoot.startsWith('..') && !isAbsolute(inRoot) ? inRoot : relative(ctx.cwd, absolute) || file;
}
