import { type core, z } from 'zod';
import type { PlanProblem } from '../errors.js';
import { planSchema } from './schema.js';
import { locate, type PlanSource } from './source.js';
import { closest } from './suggest.js';

/** Turns zod issues into positioned, human problems: `file:line:col key.path: message`. */
export function describeIssues(source: PlanSource, issues: readonly core.$ZodIssue[]): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = closest(key, keysAt(issue.path));
        problems.push({
          file: source.file,
          ...locate(source, issue.path, key),
          path: dotted([...issue.path, key]),
          message: `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}`,
        });
      }
      continue;
    }
    const specific = issue.code === 'invalid_union' ? pickUnionBranch(issue) : issue;
    problems.push({ file: source.file, ...locate(source, issue.path), path: dotted(issue.path), message: specific.message });
  }
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

/** Problems found after validation (e.g. an unknown `${vars.x}`), located the same way. */
export function problemAt(source: PlanSource, path: (string | number)[], message: string): PlanProblem {
  return { file: source.file, ...locate(source, path), path: dotted(path), message };
}

export function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** A union failed every branch; the branch that got furthest says the most useful thing. */
function pickUnionBranch(issue: core.$ZodIssueInvalidUnion): core.$ZodIssue {
  for (const branch of issue.errors) {
    const informative = branch.find((inner) => inner.code !== 'invalid_type');
    if (informative) return { ...informative, path: issue.path };
  }
  return issue;
}

/** Valid keys of the object schema at a path, for "did you mean". */
function keysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = planSchema;
  for (const segment of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(segment)] ?? z.never();
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else return [];
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else return current;
  }
}

/** Error map: "is required" reads better than "expected string, received undefined". */
export const planErrorMap: core.$ZodErrorMap = (issue) => (issue.input === undefined && issue.code === 'invalid_type' ? 'is required' : undefined);
