import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { BuildkiteGroups } from './buildkite.js';
import { GitHubActions } from './github.js';
import { GitLabSections } from './gitlab.js';
import { JsonReporter } from './json-reporter.js';
import { PlainReporter } from './plain-reporter.js';
import { QuietReporter } from './quiet-reporter.js';
import type { Reporter } from './reporter.js';
import { TtyReporter } from './tty-reporter.js';

export interface OutputMode {
  /** NDJSON events on stdout. */
  json?: boolean;
  /** Only failures and the final result. */
  quiet?: boolean;
  /** Every poll. */
  verbose?: boolean;
}

/**
 * Spinners only for a person at a terminal; CI logs and pipes get plain timestamped lines. On a CI
 * vendor we know, its markers (groups, sections, annotations, job summary) wrap whichever it is.
 */
export function createReporter(ctx: Pick<Context, 'term' | 'clock'> & Partial<Pick<Context, 'env' | 'cwd'>>, mode: OutputMode = {}): Reporter {
  const env = ctx.env ?? {};
  const heartbeat = Number(env.ROLLOUT_HEARTBEAT_MS);
  const options = { term: ctx.term, clock: ctx.clock, verbose: mode.verbose, ...(heartbeat > 0 ? { heartbeatMs: heartbeat } : {}) };
  let reporter: Reporter;
  if (mode.json) reporter = new JsonReporter(options);
  else if (mode.quiet) reporter = new QuietReporter(options);
  else reporter = ctx.term.isTTY && !ctx.term.isCI ? new TtyReporter(options) : new PlainReporter(options);
  if (env.GITHUB_ACTIONS === 'true') reporter = new GitHubActions(reporter, ctx.term.err, env, !mode.quiet);
  else if (env.GITLAB_CI === 'true') reporter = new GitLabSections(reporter, ctx.term.err, gitlabDotenvPath(ctx.cwd ?? '.', env), !mode.quiet);
  else if (env.BUILDKITE === 'true') reporter = new BuildkiteGroups(reporter, ctx.term.err, env, !mode.quiet);
  return reporter;
}

/** Where the GitLab dotenv report goes: `ROLLOUT_DOTENV`, else `rollout.env` in the job's directory. */
export function gitlabDotenvPath(cwd: string, env: Readonly<Record<string, string | undefined>>): string {
  return resolve(cwd, env.ROLLOUT_DOTENV || 'rollout.env');
}
