import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { prepareChecks } from '../checks/prepare.js';
import { loadConditionEngine } from '../conditions/condition.js';
import { PlanError } from '../errors.js';
import { findPlan } from './find.js';
import { normalisePlan } from './normalise.js';
import { describeIssues, planErrorMap, problemAt } from './problems.js';
import { planSchema, type RawPlan } from './schema.js';
import { MAX_PLAN_BYTES, parsePlanText } from './source.js';
import type { Plan } from './types.js';
import { mergeVars } from './vars.js';

export interface LoadPlanOptions {
  cwd: string;
  config?: string;
  /** `--var` overrides, already parsed. */
  vars?: Record<string, string>;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Find, read, parse, validate and normalise a plan. Throws PlanError listing every problem with
 * its position; never returns a partially valid plan.
 */
export async function loadPlan(options: LoadPlanOptions): Promise<Plan> {
  const location = await findPlan(options.cwd, options.config);
  const shown = displayPath(options.cwd, location.path);
  const fail = (message: string): never => {
    throw new PlanError(shown, [{ file: shown, line: null, col: null, path: '', message }]);
  };

  const size = (await stat(location.path)).size;
  if (size > MAX_PLAN_BYTES) fail(`plan is ${size} bytes; the limit is ${MAX_PLAN_BYTES} (1 MiB)`);
  const bytes = await readFile(location.path).catch((error: NodeJS.ErrnoException) => fail(`cannot read plan: ${error.code ?? error.message}`));
  const text = bytes.toString('utf8');
  if (text.trim() === '') fail('plan is empty; it needs at least a `stages:` list');

  const parsed = parsePlanText(text, shown, location.root);
  if (!parsed.ok) throw new PlanError(shown, parsed.problems);
  const { source } = parsed;
  if (source.value === null || typeof source.value !== 'object' || Array.isArray(source.value)) {
    throw new PlanError(shown, [problemAt(source, [], 'a plan must be a mapping with at least a `stages:` list')]);
  }

  const result = planSchema.safeParse(source.value, { error: planErrorMap });
  if (!result.success) throw new PlanError(shown, describeIssues(source, result.error.issues));
  const raw = result.data;
  if (hasConditions(raw)) await loadConditionEngine();

  const declared = Object.fromEntries(Object.entries(raw.vars ?? {}).map(([name, value]) => [name, String(value)]));
  const normalised = normalisePlan({
    raw,
    path: location.path,
    dir: dirname(location.path),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    vars: mergeVars(declared, options.vars ?? {}),
    env: options.env,
  });
  if (!normalised.ok)
    throw new PlanError(
      shown,
      normalised.problems.map((p) => problemAt(source, p.path, p.message, p.offset)),
    );
  const prepared = prepareChecks(normalised.plan, options.env);
  if (!prepared.ok)
    throw new PlanError(
      shown,
      prepared.problems.map((p) => problemAt(source, p.path, p.message)),
    );
  return prepared.plan;
}

/** Paths in messages are relative to where the user stands, when that is shorter. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}

/** Does any check, inline or named, have a `pass:` or `fail:` condition? */
function hasConditions(raw: RawPlan): boolean {
  const checks = [...Object.values(raw.checks ?? {}), ...raw.stages.flatMap((stage) => stage.health ?? [])];
  return checks.some((check) => check.pass !== undefined || check.fail !== undefined);
}
