import { isAbsolute, relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { PlanError, type RolloutError } from '../errors.js';
import { gitlabDotenvPath } from './create-reporter.js';
import { write } from './github.js';
import { formatOutputs, problemAnnotation } from './github-commands.js';
import { writeDotenv } from './gitlab.js';

/**
 * Bad input (exit 2) on a CI vendor: the outcome is `invalid` with the message, so a later step
 * sees why nothing ran instead of empty outputs. Under GitHub Actions each plan problem is also an
 * `::error file=…,line=…,col=…::` annotation, shown inline on the pull request's diff.
 */
export function reportInputErrorToCi(error: RolloutError, ctx: Pick<Context, 'term' | 'env' | 'cwd'>): void {
  const warn = (message: string) => ctx.term.err.write(`warning: ${message}\n`);
  if (ctx.env.GITLAB_CI === 'true') {
    const variables = {
      ROLLOUT_STATUS: 'invalid',
      ROLLOUT_FAILED_STAGE: '',
      ROLLOUT_RUN_ID: '',
      ROLLOUT_FAILURE_REASON: error.message,
      ROLLOUT_MESSAGE: error.message,
    };
    writeDotenv(gitlabDotenvPath(ctx.cwd, ctx.env), variables, { warn });
  }
  if (ctx.env.GITHUB_ACTIONS !== 'true') return;
  if (error instanceof PlanError) {
    for (const problem of error.problems) ctx.term.err.write(`${problemAnnotation(problem, workspacePath(problem.file, ctx))}\n`);
  }
  const outputs = { status: 'invalid', 'failed-stage': '', 'run-id': '', 'failure-reason': error.message, message: error.message };
  write(ctx.env.GITHUB_OUTPUT, formatOutputs(outputs), 'step outputs', { warn });
}

/** Annotations name files relative to the repository checkout, whatever directory we run in. */
function workspacePath(file: string, ctx: Pick<Context, 'env' | 'cwd'>): string {
  const absolute = resolve(ctx.cwd, file);
  const root = ctx.env.GITHUB_WORKSPACE;
  const inRoot = root ? relative(root, absolute) : '';
  return root && !inRoot.startsWith('..') && !isAbsolute(inRoot) ? inRoot : relative(ctx.cwd, absolute) || file;
}
