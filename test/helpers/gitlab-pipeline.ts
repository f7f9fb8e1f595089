import fs from 'node:fs/promises';
import path from 'node:path';
import { baseEnv, exists, parseKeyValueFile, runBash, runnerDir, shimBin } from './ci-pipelines.js';

// A GitLab CI pipeline, run job by job on fresh "runners" (see ci-pipelines.ts).

interface GlJob {
  extends?: string;
  stage?: string;
  script: string[];
  variables?: Record<string, string>;
  needs?: (string | { job: string; artifacts?: boolean })[];
  rules?: { if?: string; when?: string }[];
  allow_failure?: boolean | { exit_codes: number[] };
  artifacts?: { when?: string; paths?: string[]; reports?: { dotenv?: string } };
  environment?: unknown;
}
export interface GlJobResult {
  status: 'success' | 'warning' | 'failed';
  exitCode: number | undefined;
  log: string;
  dir: string;
  dotenv: Record<string, string>;
}

/** A job as GitLab sees it: `extends:` merged (one level, the job's keys win). */
export function gitlabJob(pipeline: Record<string, unknown>, name: string): GlJob {
  const job = pipeline[name] as GlJob | undefined;
  if (!job) throw new Error(`no job ${name}`);
  return job.extends ? { ...(pipeline[job.extends] as GlJob), ...job } : job;
}

export interface GlPipeline {
  repo: string;
  /** Predefined variables (CI_COMMIT_SHA, GITLAB_USER_LOGIN of who pushed, …) and project CI/CD variables. */
  variables: Record<string, string>;
}

/** Runs one job of a pipeline on a fresh runner; `startedBy` is who pressed play on a manual job. */
export async function runGitlabJob(
  pipeline: Record<string, unknown>,
  name: string,
  run: GlPipeline,
  done: Record<string, GlJobResult>,
  startedBy?: string,
): Promise<GlJobResult> {
  const job = gitlabJob(pipeline, name);
  const variables: Record<string, string> = { ...run.variables, ...((pipeline.variables as Record<string, string>) ?? {}), ...(job.variables ?? {}) };
  const rule = job.rules?.find((r) => r.if === undefined || gitlabIf(r.if, variables));
  if (job.rules && !rule) throw new Error(`job ${name} is not in this pipeline (no rule matches)`);
  if ((rule?.when === 'manual') !== (startedBy !== undefined)) throw new Error(`job ${name}: manual is ${rule?.when === 'manual'}, started by ${startedBy}`);
  const root = await runnerDir('rollout-gl-job-');
  const dir = path.join(root, 'work');
  await fs.cp(run.repo, dir, { recursive: true }); // GitLab clones the repository into every job
  for (const need of job.needs ?? []) {
    const { job: from, artifacts = true } = typeof need === 'string' ? { job: need } : need;
    const result = done[from];
    if (!result) throw new Error(`job ${name} needs ${from}, which has not run`);
    if (!artifacts) continue;
    for (const p of gitlabJob(pipeline, from).artifacts?.paths ?? []) {
      if (await exists(path.join(result.dir, p))) await fs.cp(path.join(result.dir, p), path.join(dir, p), { recursive: true });
    }
    Object.assign(variables, result.dotenv);
  }
  const bin = await shimBin(root);
  const env = { ...baseEnv(bin, root), GITLAB_CI: 'true', ...variables, ...(startedBy ? { GITLAB_USER_LOGIN: startedBy } : {}) };
  const result = await runBash(job.script.join('\n'), dir, env);
  const allowed = typeof job.allow_failure === 'object' ? job.allow_failure.exit_codes : [];
  const status = result.exitCode === 0 ? 'success' : allowed.includes(result.exitCode ?? -1) ? 'warning' : 'failed';
  const dotenvFile = job.artifacts?.reports?.dotenv;
  const dotenv = dotenvFile && (await exists(path.join(dir, dotenvFile))) ? parseKeyValueFile(await fs.readFile(path.join(dir, dotenvFile), 'utf8')) : {};
  return { status, exitCode: result.exitCode, log: result.all ?? '', dir, dotenv };
}

/** `$A == $B` and `$A == "text"`, as the docs' rules use. */
function gitlabIf(expression: string, variables: Record<string, string>): boolean {
  const match = /^\$(\w+)\s*(==|!=)\s*(?:\$(\w+)|"([^"]*)")$/.exec(expression.trim());
  if (!match) throw new Error(`unsupported rules:if ${expression}`);
  const right = match[3] !== undefined ? (variables[match[3]] ?? '') : (match[4] ?? '');
  const equal = (variables[match[1] ?? ''] ?? '') === right;
  return match[2] === '==' ? equal : !equal;
}
