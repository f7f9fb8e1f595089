import type { Environment, ParseResult } from '@marcbachmann/cel-js';

/**
 * `pass:` and `fail:` conditions, in Common Expression Language (CEL, as in Kubernetes validation
 * rules): typed, side-effect free, no loops, no access to anything but `result`. The library is a
 * tree-walking interpreter (no `eval`, no `Function`), and map keys are looked up as own
 * properties only, so `result.constructor` or `result.__proto__` are "no such key", never a prototype.
 */
let environment: Environment | null = null;

/**
 * Loads the CEL library (about 150 ms of start-up) only for plans that have conditions; `loadPlan`
 * calls this before normalising such a plan, so compile and evaluate can stay synchronous.
 */
export async function loadConditionEngine(): Promise<void> {
  if (environment !== null) return;
  const cel = await import('@marcbachmann/cel-js');
  environment = new cel.Environment({
    unlistedVariablesAreDyn: false,
    limits: { maxAstNodes: 500, maxDepth: 32, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 16 },
  }).registerVariable('result', 'dyn');
}

/** Longer than any condition a person writes; bounds parse time for hostile input. */
export const MAX_CONDITION_LENGTH = 2000;

export type Compiled = { ok: true } | { ok: false; message: string /** 0-based character in the expression. */; offset: number | null };

const cache = new Map<string, ParseResult>();

/** Parses and type-checks a condition; a typo is a plan error at validate time, not a failed poll. */
export function compileCondition(text: string): Compiled {
  if (text.trim() === '') return { ok: false, message: 'is empty; write a condition such as `result < 0.01`', offset: null };
  if (text.length > MAX_CONDITION_LENGTH) return { ok: false, message: `is longer than ${MAX_CONDITION_LENGTH} characters`, offset: null };
  if (environment === null) throw new Error('conditions used before loadConditionEngine()');
  let parsed: ParseResult;
  try {
    parsed = environment.parse(text);
  } catch (error) {
    return failure(error);
  }
  const checked = parsed.check();
  if (!checked.valid) return failure(checked.error);
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    return { ok: false, message: `must be true or false, but this gives a ${checked.type} (compare it, e.g. \`result < 0.01\`)`, offset: null };
  }
  cache.set(text, parsed);
  return { ok: true };
}

/**
 * The syntax tree of a condition that compiles, for readers of its shape (conditions/bounds.ts);
 * null when it does not compile or no plan with conditions was loaded in this process.
 */
export function conditionTree(text: string): unknown {
  if (environment === null) return null;
  if (!cache.has(text) && !compileCondition(text).ok) return null;
  return (cache.get(text) as ParseResult).ast;
}

export type Evaluation = { ok: true; holds: boolean } | { ok: false; message: string };

/** Evaluates a compiled condition against one measured value. Never throws. */
export function evaluateCondition(text: string, result: unknown): Evaluation {
  let parsed = cache.get(text);
  if (parsed === undefined) {
    const compiled = compileCondition(text);
    if (!compiled.ok) return { ok: false, message: compiled.message };
    parsed = cache.get(text) as ParseResult;
  }
  try {
    const value: unknown = parsed({ result: toCel(result) });
    if (typeof value !== 'boolean') return { ok: false, message: `gave ${String(value)}, not true or false` };
    return { ok: true, holds: value };
  } catch (error) {
    return { ok: false, message: firstLine(error) };
  }
}

/** JSON-shaped data only: objects without prototype tricks, lists, numbers, strings, booleans, null. */
function toCel(value: unknown, depth = 0): unknown {
  if (depth > 64) return null;
  if (Array.isArray(value)) return value.map((item) => toCel(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toCel(item, depth + 1);
    return out;
  }
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'function' || typeof value === 'symbol' || value === undefined) return null;
  return value;
}

function failure(error: unknown): Compiled {
  const range = (error as { range?: { start: number } } | undefined)?.range;
  return { ok: false, message: firstLine(error), offset: typeof range?.start === 'number' ? range.start : null };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? ((error as { summary?: string }).summary ?? error.message) : String(error);
  return message.split('\n')[0] ?? message;
}
