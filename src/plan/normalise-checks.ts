import { checkKind } from '../checks/registry.js';
import { CHECK_DEFAULTS } from '../checks/settings.js';
import { compileCondition } from '../conditions/condition.js';
import { parseDuration } from './duration.js';
import type { RawCheck, RawCheckRef, RawPlan, RawStage, RawStageCheck } from './schema.js';
import { type Scopes, substitute } from './substitute.js';
import { closest } from './suggest.js';
import type { Check, Target } from './types.js';

export type Problem = { path: (string | number)[]; message: string /** Character inside the value (a condition's syntax error). */; offset?: number };

interface Inputs {
  raw: RawPlan;
  dir: string;
  vars: Record<string, string>;
  env: Readonly<Record<string, string | undefined>>;
  problem: (problem: Problem) => void;
}

/**
 * How a fleet stage's checks are filled in: for one target (`${target.…}` replaced), or
 * `unexpanded` (left as written: the stage's own list, shown by `plan`, never measured).
 * null: the stage has no targets, and `${target.…}` is a problem.
 */
export type TargetScope = { target: Target } | 'unexpanded' | null;

/**
 * The checks one stage runs, in order: `defaults.checks`, the stage's `checks:` (named, or written
 * in place), then its inline `health:`. Named checks are normalised once per use, so `${stage.name}` and `${args.X}` take
 * that stage's values. Names are made unique within the stage (state and output key on them).
 */
export function stageChecks(stage: RawStage, index: number, inputs: Inputs, target: TargetScope = null): Check[] {
  const refs: { ref: RawStageCheck; path: (string | number)[] }[] = [
    ...(inputs.raw.defaults?.checks ?? []).map((ref, i) => ({ ref, path: ['defaults', 'checks', i] })),
    ...(stage.checks ?? []).map((ref, i) => ({ ref, path: ['stages', index, 'checks', i] })),
  ];
  const where = { name: stage.name, index };
  const checks = listedChecks(refs, where, inputs, target);
  (stage.health ?? []).forEach((raw, i) => {
    checks.push(normaliseCheck(raw, { source: ['stages', index, 'health', i], argsPath: null, defaultName: null, stage: where, args: null, target }, inputs));
  });
  return uniqueNames(checks);
}

/** A fleet stage's `fleetChecks:`: named checks measured once for the whole stage, so about no one target. */
export function fleetChecks(stage: RawStage, index: number, inputs: Inputs): Check[] {
  const refs = (stage.fleetChecks ?? []).map((ref, i) => ({ ref, path: ['stages', index, 'fleetChecks', i] }));
  return uniqueNames(listedChecks(refs, { name: stage.name, index }, inputs, null));
}

/** The checks of a `checks:` list: named ones (by name or `{use, with}`), and any written in place. */
function listedChecks(
  refs: { ref: RawStageCheck; path: (string | number)[] }[],
  where: { name: string; index: number },
  inputs: Inputs,
  target: TargetScope,
): Check[] {
  const checks: Check[] = [];
  for (const { ref, path } of refs) {
    if (typeof ref !== 'string' && !isUse(ref)) {
      checks.push(normaliseCheck(ref, { source: path, argsPath: null, defaultName: null, stage: where, args: null, target }, inputs));
      continue;
    }
    const name = typeof ref === 'string' ? ref : ref.use;
    const named = inputs.raw.checks ?? {};
    if (!Object.hasOwn(named, name)) {
      const hint = closest(name, Object.keys(named));
      const known = Object.keys(named).length > 0 ? `; named checks: ${Object.keys(named).join(', ')}` : '; define it under the top-level `checks:`';
      inputs.problem({
        path: typeof ref === 'string' ? path : [...path, 'use'],
        message: `no check named "${name}"${hint ? ` (did you mean "${hint}"?)` : known}`,
      });
      continue;
    }
    // Arguments may themselves use the plan's values: `with: {version: "\${vars.version}"}`.
    const argScopes: Scopes = { vars: inputs.vars, env: inputs.env, stage: where, args: null, target: scopeTarget(target) };
    const keep = target === 'unexpanded' ? { keep: ['target' as const] } : {};
    const args = Object.fromEntries(
      Object.entries(typeof ref === 'string' ? {} : (ref.with ?? {})).map(([k, v]) => [
        k,
        substitute(String(v), argScopes, (message) => inputs.problem({ path: [...path, 'with', k], message }), keep),
      ]),
    );
    checks.push(normaliseCheck(named[name] as RawCheck, { source: ['checks', name], argsPath: path, defaultName: name, stage: where, args, target }, inputs));
  }
  return checks;
}

/** `{use: NAME}` rather than a check written in place (no check kind has a `use` key). */
const isUse = (ref: RawStageCheck): ref is Extract<RawCheckRef, { use: string }> => typeof ref === 'object' && typeof ref.use === 'string';

const scopeTarget = (target: TargetScope) => (target === null || target === 'unexpanded' ? null : target.target);

/** Every named check's conditions compile, even one no stage uses yet. */
export function compileNamedChecks(inputs: Inputs): void {
  for (const [name, raw] of Object.entries(inputs.raw.checks ?? {})) compileConditions(raw, ['checks', name], inputs.problem);
}

interface Placement {
  source: (string | number)[];
  /** Where a missing `${args.X}` is reported: the stage's list entry. */
  argsPath: (string | number)[] | null;
  defaultName: string | null;
  stage: { name: string; index: number };
  args: Record<string, string> | null;
  target: TargetScope;
}

function normaliseCheck(raw: RawCheck, at: Placement, inputs: Inputs): Check {
  const kind = checkKind(raw.type ?? 'http');
  const health = inputs.raw.defaults?.health ?? {};
  const scopes: Scopes = { vars: inputs.vars, env: inputs.env, stage: at.stage, args: at.args, target: scopeTarget(at.target) };
  const kept = at.target === 'unexpanded' ? (['target'] as const) : [];
  const report = (key: (string | number)[]) => (message: string) =>
    inputs.problem({ path: at.argsPath !== null && message.startsWith('${args.') ? at.argsPath : [...at.source, ...key], message });
  const spec = kind.normalise(raw, {
    dir: inputs.dir,
    stage: at.stage,
    args: at.args ?? {},
    substitute: (text, key, escapeValue) => substitute(text, scopes, report(key), { escape: escapeValue, keep: [...kept] }),
    display: (text) => substitute(text, scopes, () => undefined, { keep: ['env', ...kept] }),
    problem: (key, message) => inputs.problem({ path: [...at.source, ...key], message }),
  });
  if (at.argsPath === null) compileConditions(raw, at.source, inputs.problem);
  const ms = (value: string | number | undefined, fallback: number) => (value === undefined ? fallback : (parseDuration(value) ?? fallback));
  const description = kind.describe(spec);
  return {
    kind: kind.type,
    name: raw.name ?? at.defaultName ?? kind.entryPoint?.(spec) ?? description,
    description,
    spec,
    entryPoint: kind.entryPoint?.(spec) ?? null,
    source: at.source,
    intervalMs: ms(raw.interval ?? health.interval, CHECK_DEFAULTS.intervalMs),
    timeoutMs: ms(raw.timeout ?? health.timeout, CHECK_DEFAULTS.timeoutMs),
    failureThreshold: raw.failureThreshold ?? kind.settingDefaults?.(spec).failureThreshold ?? health.failureThreshold ?? CHECK_DEFAULTS.failureThreshold,
    maxFailures: raw.maxFailures ?? null,
    minSamples: raw.minSamples ?? CHECK_DEFAULTS.minSamples,
    initialDelayMs: ms(raw.initialDelay, 0),
    dryRun: raw.dryRun ?? false,
    pass: raw.pass ?? null,
    fail: raw.fail ?? null,
    onNoData: raw.onNoData ?? 'inconclusive',
    maxConsecutiveErrors: raw.maxConsecutiveErrors ?? CHECK_DEFAULTS.maxConsecutiveErrors,
  };
}

function compileConditions(raw: RawCheck, source: (string | number)[], problem: (p: Problem) => void): void {
  for (const key of ['pass', 'fail'] as const) {
    const text = raw[key];
    if (text === undefined) continue;
    const compiled = compileCondition(text);
    if (!compiled.ok) {
      const where = compiled.offset === null ? '' : ` (at character ${compiled.offset + 1})`;
      problem({ path: [...source, key], message: `condition ${compiled.message}${where}`, ...(compiled.offset === null ? {} : { offset: compiled.offset }) });
    }
  }
}

/** `smoke`, `smoke #2`: two uses of one named check (or two unnamed checks of one URL) stay apart. */
function uniqueNames(checks: Check[]): Check[] {
  const seen = new Map<string, number>();
  return checks.map((check) => {
    const count = (seen.get(check.name) ?? 0) + 1;
    seen.set(check.name, count);
    return count === 1 ? check : { ...check, name: `${check.name} #${count}` };
  });
}
