import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { PlanError } from '../errors.js';
import { checkPlan } from './check-plan.js';
import { findPlan } from './find.js';
import { problemAt } from './problems.js';
import { MAX_PLAN_BYTES, parsePlanText } from './source.js';
import type { Plan, Target } from './types.js';

export interface LoadPlanOptions {
  cwd: string;
  config?: string;
  /** `--var` overrides, already parsed. */
  vars?: Record<string, string>;
  env: Readonly<Record<string, string | undefined>>;
  /** Stops a `targets: { from: … }` command (Ctrl-C, a CI cancel): the load then fails with exit 130/143. */
  signal?: AbortSignal;
  /**
   * 'skip': a `targets: { from: … }` command is not run and the plan has no targets. For commands
   * that only need to know where the state is (status, history, unlock, report): they stay fast, and
   * work while the inventory is down.
   */
  inventory?: 'run' | 'skip' | RecordedInventory;
}

/** The targets a run recorded from its inventory (`StateDocument.inventory`): used instead of running the command again. */
export interface RecordedInventory {
  recorded: Target[];
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

  const checked = await checkPlan({
    source,
    path: location.path,
    dir: dirname(location.path),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    overrides: options.vars ?? {},
    env: options.env,
    ...(options.signal ? { signal: options.signal } : {}),
    skipInventory: options.inventory === 'skip',
    ...(typeof options.inventory === 'object' ? { recordedInventory: options.inventory.recorded } : {}),
  });
  if (!checked.ok) throw new PlanError(shown, checked.problems);
  return checked.plan;
}

/** Paths in messages are relative to where the user stands, when that is shorter. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}
