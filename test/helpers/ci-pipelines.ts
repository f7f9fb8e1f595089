import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { binPath, repoRoot } from './cli.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/**
 * Just enough of a GitHub Actions runner and a GitLab runner to run the documented two-job flows of
 * docs/ci.md for real: each job in its own fresh directory (a fresh runner), its `run:` / `script:`
 * executed by bash as the runner does, `npx rolloutctl@<version>` resolving to the built CLI, and
 * nothing carried between jobs but what the pipeline says: artifacts, job outputs, dotenv reports.
 * Anything the documented YAML uses that this does not understand is an error, never ignored.
 */

const version = (JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

const created: string[] = [];
/** A fresh directory for a runner or a job, removed by removeRunnerDirs(). */
async function runnerDir(prefix: string): Promise<string> {
  const dir = await makeTempDir(prefix);
  created.push(dir);
  return dir;
}
/** Removes every directory the pipelines run so far created (call in afterAll). */
export async function removeRunnerDirs(): Promise<void> {
  for (const dir of created.splice(0)) await removeTempDir(dir);
}

/** A bin directory with `npx` (rolloutctl@<version> only → the built CLI) and, when given, a `gh` stand-in. */
export async function shimBin(dir: string, gh?: string): Promise<string> {
  const bin = path.join(dir, 'bin');
  await fs.mkdir(bin, { recursive: true });
  await fs.writeFile(
    path.join(bin, 'npx'),
    `#!/bin/sh\nif [ "$1" != "rolloutctl@${version}" ]; then echo "npx: unexpected $*" >&2; exit 127; fi\nshift\nexec "${process.execPath}" "${binPath}" "$@"\n`,
    { mode: 0o755 },
  );
  if (gh !== undefined) await fs.writeFile(path.join(bin, 'gh'), gh, { mode: 0o755 });
  return bin;
}

async function runBash(script: string, cwd: string, env: Record<string, string>) {
  const file = path.join(cwd, '..', `step-${Math.random().toString(36).slice(2)}.sh`);
  await fs.writeFile(file, `${script}\n`);
  // As the runners do: a script file, not `bash -c`, errors stop it.
  return execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env, extendEnv: false, reject: false, all: true, timeout: 30_000 });
}

const baseEnv = (bin: string, home: string): Record<string, string> => ({ PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, HOME: home, NO_COLOR: '1', CI: 'true' });

// ---- GitHub Actions

interface GhStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  env?: Record<string, string>;
}
interface GhJob {
  needs?: string | string[];
  if?: string;
  environment?: string;
  outputs?: Record<string, string>;
  steps: GhStep[];
}
export interface GhJobResult {
  result: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  dir: string | null;
  /** Each `run:` step that ran: its id or name, exit code and log. */
  steps: { step: string; exitCode: number | undefined; log: string }[];
}

export interface GhRun {
  /** The repository checkout: what `actions/checkout` copies into each job's directory. */
  repo: string;
  /** Per environment: true when a reviewer approves its job, false when one rejects it. */
  reviews: Record<string, boolean>;
  /** GITHUB_ACTOR (who pushed) and the variables every step sees. */
  env: Record<string, string>;
  /** The `gh` stand-in, when a step calls gh. */
  gh?: string;
}

/** `$GITHUB_OUTPUT` / `$GITHUB_ENV` as the runner reads them: `name=value` lines and `name<<DELIM` blocks. */
export function parseGithubFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const end = lines.indexOf(block[2] ?? '', i + 1);
      out[block[1] ?? ''] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return out;
}

/** Runs a workflow's jobs in order, as GitHub would for one push. */
export async function runWorkflow(workflow: { jobs: Record<string, GhJob> }, run: GhRun): Promise<Record<string, GhJobResult>> {
  const root = await runnerDir('rollout-gh-');
  const artifacts = path.join(root, 'artifacts');
  const bin = await shimBin(root, run.gh);
  const results: Record<string, GhJobResult> = {};
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const needs = typeof job.needs === 'string' ? [job.needs] : (job.needs ?? []);
    for (const need of needs) if (!results[need]) throw new Error(`job ${name} needs ${need}, which has not run`);
    const context = (key: string): string => {
      const parts = key.split('.');
      if (parts[0] === 'needs' && results[parts[1] ?? '']) {
        const need = results[parts[1] ?? ''] as GhJobResult;
        if (parts[2] === 'result') return need.result;
        if (parts[2] === 'outputs') return need.outputs[parts[3] ?? ''] ?? '';
      }
      if (key === 'github.sha') return run.env.GITHUB_SHA ?? '';
      if (key === 'github.token') return 'ghs_fake-token';
      throw new Error(`job ${name}: unknown expression ${key}`);
    };
    const needsOk = () => needs.every((need) => results[need]?.result === 'success');
    if (!evaluateIf(job.if, context, needsOk)) {
      results[name] = { result: 'skipped', outputs: {}, dir: null, steps: [] };
      continue;
    }
    if (job.environment !== undefined && run.reviews[job.environment] === false) {
      results[name] = { result: 'failure', outputs: {}, dir: null, steps: [] }; // a rejected review fails the job
      continue;
    }
    if (job.environment !== undefined && run.reviews[job.environment] !== true) throw new Error(`job ${name}: no review decided for ${job.environment}`);
    const dir = path.join(await runnerDir('rollout-gh-job-'), 'work');
    await fs.mkdir(dir);
    results[name] = await runGhJob(name, job, dir, { artifacts, bin, run, context });
  }
  return results;
}

async function runGhJob(
  name: string,
  job: GhJob,
  dir: string,
  ctx: { artifacts: string; bin: string; run: GhRun; context: (key: string) => string },
): Promise<GhJobResult> {
  const stepOutputs: Record<string, Record<string, string>> = {};
  const steps: GhJobResult['steps'] = [];
  const envFile = path.join(dir, '..', 'github-env');
  await fs.writeFile(envFile, '');
  let failed = false;
  const context = (key: string) => {
    const [scope, id, kind, output] = key.split('.');
    if (scope === 'steps' && kind === 'outputs') return stepOutputs[id ?? '']?.[output ?? ''] ?? '';
    return ctx.context(key);
  };
  const expand = (text: string) => text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, key: string) => context(key));
  for (const step of job.steps) {
    if (!evaluateIf(step.if, context, () => !failed)) continue;
    const what = step.id ?? step.name ?? step.uses ?? 'step';
    if (step.uses !== undefined) {
      await useAction(step, dir, ctx);
      continue;
    }
    if (step.run === undefined) throw new Error(`job ${name}: a step with neither uses nor run`);
    const outputFile = path.join(dir, '..', `output-${steps.length}`);
    await fs.writeFile(outputFile, '');
    const env = {
      ...baseEnv(ctx.bin, path.dirname(dir)),
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_ENV: envFile,
      GITHUB_STEP_SUMMARY: path.join(dir, '..', 'summary.md'),
      ...ctx.run.env,
      ...parseGithubFile(await fs.readFile(envFile, 'utf8')),
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))])),
    };
    const result = await runBash(expand(step.run), dir, env);
    steps.push({ step: what, exitCode: result.exitCode, log: result.all ?? '' });
    if (step.id !== undefined) stepOutputs[step.id] = parseGithubFile(await fs.readFile(outputFile, 'utf8'));
    if (result.exitCode !== 0) failed = true;
  }
  const outputs = Object.fromEntries(Object.entries(job.outputs ?? {}).map(([k, v]) => [k, expand(v)]));
  return { result: failed ? 'failure' : 'success', outputs, dir, steps };
}

async function useAction(step: GhStep, dir: string, ctx: { artifacts: string; run: GhRun }): Promise<void> {
  const action = step.uses ?? '';
  const w = step.with ?? {};
  if (action === 'actions/checkout@v4') await fs.cp(ctx.run.repo, dir, { recursive: true });
  else if (action === 'actions/setup-node@v4') return;
  else if (action === 'actions/upload-artifact@v4') {
    const store = path.join(ctx.artifacts, String(w.name));
    if ((await exists(store)) && w.overwrite !== true) throw new Error(`artifact ${w.name} exists: upload-artifact@v4 needs overwrite: true`);
    await fs.rm(store, { recursive: true, force: true });
    const from = path.join(dir, String(w.path));
    // upload-artifact@v4 leaves out hidden files unless asked: all of .rollout/ is hidden.
    if (w['include-hidden-files'] === true && (await exists(from))) await fs.cp(from, store, { recursive: true });
  } else if (action === 'actions/download-artifact@v4') {
    const store = path.join(ctx.artifacts, String(w.name));
    if (!(await exists(store))) throw new Error(`no artifact ${w.name} to download`);
    await fs.cp(store, path.join(dir, String(w.path)), { recursive: true });
  } else throw new Error(`unknown action ${action}`);
}

/**
 * The `if:` expressions the docs use: `&&` of `always()`, `success()`, `cancelled()`, `!cancelled()`
 * and `<context> == '<text>'` / `!=`, optionally inside `${{ }}`. Without a status function,
 * `success()` is implied, as on GitHub. Nothing is cancelled here.
 */
function evaluateIf(written: string | undefined, context: (key: string) => string, success: () => boolean): boolean {
  if (written === undefined) return success();
  const expression = written.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  if (/\|\||\(\s*[^)]/.test(expression.replace(/\w+\(\)/g, ''))) throw new Error(`unsupported if: ${expression}`);
  const terms = expression.split('&&').map((t) => t.trim());
  const hasStatus = terms.some((t) => /^!?(always|success|failure|cancelled)\(\)$/.test(t));
  return (
    (hasStatus || success()) &&
    terms.every((term) => {
      if (term === 'always()' || term === '!cancelled()') return true;
      if (term === 'success()') return success();
      if (term === 'cancelled()' || term === 'failure()') return false;
      const compare = /^([\w.-]+)\s*(==|!=)\s*'([^']*)'$/.exec(term);
      if (!compare) throw new Error(`unsupported if term: ${term}`);
      const equal = context(compare[1] ?? '') === compare[3];
      return compare[2] === '==' ? equal : !equal;
    })
  );
}

// ---- GitLab CI

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
  const dotenv = dotenvFile && (await exists(path.join(dir, dotenvFile))) ? parseGithubFile(await fs.readFile(path.join(dir, dotenvFile), 'utf8')) : {};
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

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
