import { type core, z } from 'zod';
import type { PlanProblem } from '../errors.js';
import { planSchema } from './schema.js';
import { locate, locateInValue, type PlanSource } from './source.js';
import { closest } from './suggest.js';

/** Turns zod issues into positioned, human problems: `file:line:col key.path: message`. */
export function describeIssues(source: PlanSource, issues: readonly core.$ZodIssue[]): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const seen = new Set<string>();
  const add = (path: PropertyKey[], message: string, key?: string) => {
    // A value can break two rules that say the same thing (a duration's pattern and its parse): say it once.
    const id = `${dotted(path)}\0${key ?? ''}\0${message}`;
    if (seen.has(id)) return;
    seen.add(id);
    problems.push({ file: source.file, ...locate(source, path, key), path: dotted(key === undefined ? path : [...path, key]), message });
  };
  const visit = (issue: core.$ZodIssue, base: readonly PropertyKey[]) => {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = closest(key, keysAt(path));
        add(path, `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}`, key);
      }
    } else if (issue.code === 'invalid_union') {
      const branch = pickUnionBranch(issue, path);
      if (branch.kind === 'problem') add(branch.path, branch.message);
      else for (const inner of branch.issues) visit(inner, path);
    } else add(path, issue.message);
  };
  for (const issue of issues) visit(issue, []);
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

/**
 * Duplicate stage names, found on the raw document. The schema's own check (a refinement) only
 * runs once everything else is valid, so a plan with a typo elsewhere would hide it until the
 * typo is fixed; reporting every problem at once means looking here too.
 */
export function duplicateStageNames(source: PlanSource): PlanProblem[] {
  const stages = (source.value as { stages?: unknown } | null)?.stages;
  if (!Array.isArray(stages)) return [];
  const seen = new Map<string, number>();
  const problems: PlanProblem[] = [];
  stages.forEach((stage: unknown, index) => {
    const name = (stage as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else problems.push(problemAt(source, ['stages', index, 'name'], `duplicate stage name "${name}" (also stages.${first}.name)`));
  });
  return problems;
}

/** Each problem once, in file order: one bad value can fail two checks with the same words. */
export function uniqueProblems(problems: readonly PlanProblem[]): PlanProblem[] {
  const byKey = new Map(problems.map((p) => [`${p.line}:${p.col}:${p.path}:${p.message}`, p]));
  return [...byKey.values()].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

/**
 * Problems found after validation (e.g. an unknown `${vars.x}`), located the same way; `offset`
 * points inside a one-line value (a condition's syntax error) when the value is a plain or quoted scalar.
 */
export function problemAt(source: PlanSource, path: (string | number)[], message: string, offset?: number): PlanProblem {
  const inside = offset === undefined ? null : locateInValue(source, path, offset);
  return { file: source.file, ...(inside ?? locate(source, path)), path: dotted(path), message };
}

export function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

export type Branch = { kind: 'issues'; issues: core.$ZodIssue[] } | { kind: 'problem'; path: PropertyKey[]; message: string };

/**
 * A union failed every branch; say what the most likely branch wants. For checks, `type:` says
 * which branch was meant: branches whose `type` did not match are dropped, and when none is left
 * the type itself is wrong. Otherwise the branch with the fewest complaints wins (for "a name or
 * a mapping", a wrong mapping is described, not "expected text").
 */
export function pickUnionBranch(issue: core.$ZodIssueInvalidUnion, path: PropertyKey[]): Branch {
  const isTypeMismatch = (inner: core.$ZodIssue) => inner.code === 'invalid_value' && dotted(inner.path) === 'type';
  let branches = issue.errors.filter((branch) => !branch.some(isTypeMismatch));
  if (branches.length === 0 && issue.errors.length > 0) {
    const types = issue.errors.flatMap((branch) =>
      branch.flatMap((inner) => (inner.code === 'invalid_value' && isTypeMismatch(inner) ? inner.values.map(String) : [])),
    );
    return { kind: 'problem', path: [...path, 'type'], message: `unknown check type; the types are ${types.join(', ')}` };
  }
  // A mapping of another shape (`targets:` as a map of names or as `{ from: … }`): a branch that misses
  // a key it requires and has keys it does not know was not what the writer meant, whatever its count.
  const otherMapping = (branch: core.$ZodIssue[]) =>
    branch.some((inner) => inner.code === 'unrecognized_keys' && inner.path.length === 0) &&
    branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 1 && inner.message === 'is required');
  if (branches.some((b) => !otherMapping(b))) branches = branches.filter((b) => !otherMapping(b));
  const wrongShape = (branch: core.$ZodIssue[]) => branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0;
  if (branches.some((b) => !wrongShape(b))) branches = branches.filter((b) => !wrongShape(b));
  const best = [...branches].sort((a, b) => a.length - b.length)[0];
  if (best === undefined) return { kind: 'problem', path, message: 'is not valid here' };
  return { kind: 'issues', issues: best };
}

/** Valid keys of the object schema(s) at a path, for "did you mean". */
function keysAt(path: readonly PropertyKey[]): string[] {
  let schemas: z.ZodType[] = [planSchema];
  for (const segment of path) {
    schemas = schemas.flatMap(options).flatMap((schema) => {
      if (schema instanceof z.ZodObject) return [(schema.shape as Record<string, z.ZodType>)[String(segment)] ?? z.never()];
      if (schema instanceof z.ZodArray) return [schema.element as z.ZodType];
      if (schema instanceof z.ZodRecord) return [schema.valueType as z.ZodType];
      return [];
    });
  }
  return [...new Set(schemas.flatMap(options).flatMap((schema) => (schema instanceof z.ZodObject ? Object.keys(schema.shape) : [])))];
}

/** A schema without its optional/default/pipe wrappers; each option of a union. */
function options(schema: z.ZodType): z.ZodType[] {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else if (current instanceof z.ZodUnion) return (current.options as z.ZodType[]).flatMap(options);
    else return [current];
  }
}

/**
 * Error map: every message in the plan's own words ("must be a whole number", "must be at least
 * 1"), never zod's ("Invalid input: expected int, received number"). Messages written in the
 * schema itself win over these.
 */
export const planErrorMap: core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, not ${typeOf(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `must list at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      return issue.inclusive ? `must be at least ${issue.minimum}` : `must be more than ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `must list at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return issue.inclusive ? `must be at most ${issue.maximum}` : `must be less than ${issue.maximum}`;
    case 'invalid_format':
      return 'has the wrong format';
    case 'invalid_key': {
      // A name under `targets:`, `checks:` or `vars:` the key's own rule refuses: say that rule.
      const rule = issue.issues.find((inner) => typeof inner.message === 'string')?.message;
      return rule ? `is not a valid name: it ${rule}` : 'has a key that is not allowed here';
    }
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return 'is not valid here';
  }
};

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
};

function typeOf(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a fraction';
  if (typeof value === 'boolean') return 'true or false';
  return typeof value;
}
