import { prepareChecks } from '../checks/prepare.js';
import { loadConditionEngine } from '../conditions/condition.js';
import type { PlanProblem } from '../errors.js';
import { parseDuration } from './duration.js';
import type { InventoryInput } from './fleet/inventory.js';
import type { RawInventory } from './fleet/schema.js';
import { DEFAULT_INVENTORY_TIMEOUT_MS, isInventory } from './fleet/targets.js';
import { DEFAULTS, normalisePlan } from './normalise.js';
import { describeIssues, dotted, duplicateStageNames, planErrorMap, problemAt, uniqueProblems } from './problems.js';
import { type Placeholder, salvage } from './salvage.js';
import { planSchema, type RawPlan } from './schema.js';
import type { PlanSource } from './source.js';
import type { Check, Plan, Target } from './types.js';
import { mergeVars } from './vars.js';

export interface CheckPlanInput {
  source: PlanSource;
  path: string;
  dir: string;
  sha256: string;
  /** `--var` overrides, already parsed. */
  overrides: Record<string, string>;
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
  /** Do not run a `targets: { from: … }` command: the plan has no targets (see LoadPlanOptions.inventory). */
  skipInventory?: boolean;
  /** The run's recorded inventory: taken as what the command lists, without running it. */
  recordedInventory?: Target[];
}

type Path = readonly (string | number)[];

/**
 * Every problem of a parsed plan in one pass: the schema's, then normalisation's and the check
 * kinds' load-time ones for every part the schema let through (see salvage.ts), each located in
 * the file. Returns the plan only when there are none.
 */
export async function checkPlan(input: CheckPlanInput): Promise<{ ok: true; plan: Plan } | { ok: false; problems: PlanProblem[] }> {
  const { source } = input;
  const problems: PlanProblem[] = [];
  let raw: RawPlan;
  let inFile = (path: Path): (string | number)[] => [...path];
  let wasCut = (_path: Path) => false;
  const parsed = planSchema.safeParse(source.value, { error: planErrorMap });
  // Read on the file's own list: salvage may cut stages, and then the last one kept is not the last.
  problems.push(...pauseOnLastStage(source));
  if (parsed.success) raw = parsed.data;
  else {
    problems.push(...describeIssues(source, parsed.error.issues), ...duplicateStageNames(source));
    const kept = salvage(planSchema, source.value, parsed.error.issues, placeholderFor(source.value));
    if (kept === null) return { ok: false, problems: uniqueProblems(problems) };
    raw = kept.data as RawPlan;
    inFile = kept.originalPath;
    wasCut = kept.wasCut;
  }
  const locate = (found: readonly { path: (string | number)[]; message: string; offset?: number }[]) =>
    found.flatMap((p) => {
      const path = inFile(p.path);
      return wasCut(path) ? [] : [problemAt(source, path, p.message, p.offset)];
    });

  if (hasConditions(raw)) await loadConditionEngine();
  const declared = Object.fromEntries(Object.entries(raw.vars ?? {}).map(([name, value]) => [name, String(value)]));
  // With schema problems the declared vars may be cut short: an override is not called a typo then.
  const vars = parsed.success ? mergeVars(declared, input.overrides) : { ...declared, ...pick(input.overrides, declared) };
  const inventory =
    !isInventory(raw.targets) || wasCut(['targets', 'from'])
      ? null
      : input.recordedInventory !== undefined
        ? { targets: input.recordedInventory, problems: [] }
        : await listTargets(raw.targets, raw, input, vars);
  problems.push(...(inventory?.problems ?? []).map((message) => problemAt(source, ['targets', 'from'], message)));
  const normalised = normalisePlan({ raw, path: input.path, dir: input.dir, sha256: input.sha256, vars, env: input.env, inventory: inventory?.targets });
  // With its inventory in trouble (or not run), every stage selecting targets would be wrong as well: say it once, at `from:`.
  const inventoryFailed = inventory !== null && (inventory.problems.length > 0 || input.skipInventory === true);
  problems.push(...locate(normalised.problems.filter((p) => !(inventoryFailed && p.path[0] === 'stages' && p.path[2] === 'targets'))));

  // The kinds' load-time step (CA files, proxies) on every check normalisation found nothing wrong with.
  const troubled = normalised.problems.map((p) => dotted(p.path));
  const sound = (check: Check) => !troubled.some((t) => t === dotted(check.source) || t.startsWith(`${dotted(check.source)}.`));
  const prepared = prepareFleetChecks(normalised.plan, sound, input.env);
  problems.push(...locate(prepared.problems));
  if (problems.length > 0 || prepared.plan === null) return { ok: false, problems: uniqueProblems(problems) };
  return { ok: true, plan: prepared.plan };
}

/** `targets: { from: … }`: its command's targets and problems; none at all when the caller skips it. */
async function listTargets(
  targets: RawInventory,
  raw: RawPlan,
  input: CheckPlanInput,
  vars: Record<string, string>,
): Promise<{ targets: Target[]; problems: string[] }> {
  if (input.skipInventory) return { targets: [], problems: [] };
  // Loaded only for an inventory: it brings execa, which a plan without one never needs.
  const { runInventory } = await import('./fleet/inventory.js');
  return runInventory(inventoryInput(targets, raw, input, vars));
}

function inventoryInput(targets: RawInventory, raw: RawPlan, input: CheckPlanInput, vars: Record<string, string>): InventoryInput {
  const ms = (value: string | number | undefined, fallback: number) => (value === undefined ? fallback : (parseDuration(value) ?? fallback));
  return {
    command: targets.from,
    dir: input.dir,
    planPath: input.path,
    vars,
    env: input.env,
    timeoutMs: ms(targets.timeout, DEFAULT_INVENTORY_TIMEOUT_MS),
    killGraceMs: ms(raw.killGrace, DEFAULTS.killGraceMs),
    secrets: raw.secrets ?? [],
    ...(input.signal ? { signal: input.signal } : {}),
  };
}

/**
 * `prepareChecks` over every check that is measured: a stage's own, or on a fleet stage each
 * target's and the fleet checks (its own list keeps `${target.…}` as written and is never measured).
 * Each is prepared as a stage of its own, then put back where it came from.
 */
function prepareFleetChecks(
  plan: Plan,
  sound: (check: Check) => boolean,
  env: Readonly<Record<string, string | undefined>>,
): { plan: Plan | null; problems: { path: (string | number)[]; message: string }[] } {
  const lists = plan.stages.flatMap((stage) => (stage.fleet === null ? [stage.checks] : [...Object.values(stage.fleet.targetChecks), stage.fleet.fleetChecks]));
  const [first] = plan.stages;
  if (first === undefined) return { plan, problems: [] };
  const prepared = prepareChecks({ ...plan, stages: lists.map((checks) => ({ ...first, checks: checks.filter(sound) })) }, env);
  if (!prepared.ok) return { plan: null, problems: prepared.problems };
  const done = prepared.plan.stages.map((stage) => stage.checks);
  let next = 0;
  const take = () => done[next++] ?? [];
  const stages = plan.stages.map((stage) => {
    if (stage.fleet === null) return { ...stage, checks: take() };
    const targetChecks = Object.fromEntries(Object.keys(stage.fleet.targetChecks).map((name) => [name, take()]));
    return { ...stage, fleet: { ...stage.fleet, targetChecks, fleetChecks: take() } };
  });
  return { plan: { ...plan, stages }, problems: [] };
}

/**
 * Values other parts refer to by name stay, as harmless stand-ins, when their own value is cut:
 * a stage using a broken named check is not also told that no such check exists.
 */
const placeholderFor =
  (plan: unknown): Placeholder =>
  (path) => {
    // `targets: { from: … }` has no targets to stand in for: its wrong keys go.
    if (path[0] === 'targets' && isInventory((plan as { targets?: RawPlan['targets'] }).targets)) return undefined;
    if (path.length === 2 && path[0] === 'vars') return '';
    if (path.length === 2 && path[0] === 'checks') return { type: 'command', run: 'true' };
    // A target whose attributes are broken is still a target stages may select, and its other attributes stay.
    if (path.length === 2 && path[0] === 'targets') return {};
    if (path.length === 3 && path[0] === 'targets') return '';
    if (path.at(-2) === 'with') return '';
    return undefined;
  };

function pick(values: Record<string, string>, keys: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => Object.hasOwn(keys, name)));
}

/**
 * `pause:` waits after a stage before the next one starts; the last stage has none, and its pause
 * used to be ignored without a word. (Its `approval:` is the final sign-off, see engine/gate.ts.)
 */
function pauseOnLastStage(source: PlanSource): PlanProblem[] {
  const stages = (source.value as { stages?: unknown }).stages;
  if (!Array.isArray(stages) || stages.length === 0) return [];
  const pause = (stages.at(-1) as { pause?: unknown } | null)?.pause;
  if ((typeof pause !== 'string' && typeof pause !== 'number') || !((parseDuration(pause) ?? 0) > 0)) return [];
  return [
    problemAt(
      source,
      ['stages', stages.length - 1, 'pause'],
      'the last stage has no next stage to pause before; use soak: to watch it longer, or approval: for a sign-off before the run counts as succeeded',
    ),
  ];
}

/** Does any check, inline or named, have a `pass:` or `fail:` condition? */
function hasConditions(raw: RawPlan): boolean {
  const inPlace = raw.stages.flatMap((stage) => (stage.checks ?? []).flatMap((entry) => (typeof entry === 'object' && !('use' in entry) ? [entry] : [])));
  const checks = [...Object.values(raw.checks ?? {}), ...raw.stages.flatMap((stage) => stage.health ?? []), ...inPlace];
  return checks.some((check) => check.pass !== undefined || check.fail !== undefined);
}
