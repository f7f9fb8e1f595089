import fs from 'node:fs/promises';
import path from 'node:path';
import { baseEnv, exists, parseKeyValueFile, runBash, runnerDir, shimBin } from './ci-pipelines.js';

// A GitHub Actions workflow, run job by job on fresh "runners" (see ci-pipelines.ts).

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
      ...parseKeyValueFile(await fs.readFile(envFile, 'utf8')),
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))])),
    };
    const result = await runBash(expand(step.run), dir, env);
    steps.push({ step: what, exitCode: result.exitCode, log: result.all ?? '' });
    if (step.id !== undefined) stepOutputs[step.id] = parseKeyValueFile(await fs.readFile(outputFile, 'utf8'));
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
