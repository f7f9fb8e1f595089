import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type { PlanProblem } from '../errors.js';
import { checkPlanLimits } from './limits.js';

/** Plans larger than this are refused before parsing: no real plan comes close. */
export const MAX_PLAN_BYTES = 1024 * 1024;
/** Aliases allowed when converting to JS; bounds "billion laughs" expansion. */
const MAX_ALIAS_COUNT = 100;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A parsed plan document that can still answer "where in the file is this key?". */
export interface PlanSource {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Key path of the plan inside the document (`['rollout']` for package.json). */
  root: (string | number)[];
  value: unknown;
}

export type ParseResult = { ok: true; source: PlanSource } | { ok: false; problems: PlanProblem[] };

/**
 * Parse YAML (or JSON, a subset) keeping source positions, and refuse what no plan needs and an
 * attacker would use: custom tags, duplicate keys, alias bombs, prototype keys.
 */
export function parsePlanText(text: string, file: string, root: (string | number)[] = []): ParseResult {
  const tooBig = checkPlanLimits(text);
  if (tooBig) return { ok: false, problems: [{ file, line: tooBig.line, col: tooBig.col, path: '', message: tooBig.message }] };
  const lineCounter = new LineCounter();
  // logLevel error: the yaml library reports through process warnings (stderr) what it tolerates, such as a
  // key it must stringify; everything a plan may not contain is refused below or by the schema instead.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, schema: 'core', logLevel: 'error' });
  const at = (offset: number | undefined) => position(lineCounter, offset);
  const problems: PlanProblem[] = [];
  for (const error of [...doc.errors, ...doc.warnings]) {
    problems.push({ file, ...at(error.pos[0]), path: '', message: yamlMessage(error.code, error.message) });
  }
  if (problems.length > 0) return { ok: false, problems };

  visit(doc, {
    Pair(_, pair) {
      // A mapping, sequence or alias as a key (`? [a]`, `*a: x`) has no place in a plan, and toJS would warn on stderr.
      if (pair.key !== null && !isScalar(pair.key)) {
        const range = (pair.key as { range?: [number, number, number] }).range;
        problems.push({ file, ...at(range?.[0]), path: '', message: 'keys must be plain scalars, not mappings, lists or aliases' });
      }
      if (isScalar(pair.key) && FORBIDDEN_KEYS.has(String(pair.key.value))) {
        problems.push({ file, ...at(pair.key.range?.[0]), path: '', message: `key "${String(pair.key.value)}" is not allowed` });
      }
    },
  });
  if (problems.length > 0) return { ok: false, problems };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error && /alias/i.test(error.message) ? `too many YAML aliases (limit ${MAX_ALIAS_COUNT})` : String(error);
    return { ok: false, problems: [{ file, line: null, col: null, path: '', message }] };
  }
  for (const key of root) {
    value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[key] : undefined;
  }
  return { ok: true, source: { file, doc, lineCounter, root, value } };
}

/** Line and column (1-based) of the node at a key path, or of its nearest existing ancestor. */
export function locate(source: PlanSource, path: readonly PropertyKey[], key?: string): { line: number | null; col: number | null } {
  const full = [...source.root, ...path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  for (let depth = full.length; depth >= 0; depth--) {
    const node = source.doc.getIn(full.slice(0, depth), true) as Node | undefined;
    if (!node || typeof node !== 'object' || !('range' in node)) continue;
    if (depth === full.length && key !== undefined && isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      if (pair && isScalar(pair.key)) return position(source.lineCounter, pair.key.range?.[0]);
    }
    // Point at the key of a missing/invalid child when we can: more useful than the value.
    if (depth < full.length && isMap(node)) {
      const childKey = full[depth];
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === childKey);
      if (pair && isScalar(pair.key)) return position(source.lineCounter, pair.key.range?.[0]);
    }
    if (depth < full.length && isSeq(node)) return position(source.lineCounter, node.range?.[0]);
    return position(source.lineCounter, node.range?.[0]);
  }
  return { line: 1, col: 1 };
}

function position(lineCounter: LineCounter, offset: number | undefined): { line: number | null; col: number | null } {
  if (offset === undefined) return { line: null, col: null };
  const { line, col } = lineCounter.linePos(offset);
  return { line, col };
}

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key (each key may appear once)';
  if (code === 'TAG_RESOLVE_FAILED' || /tag/i.test(message)) return `custom YAML tags are not allowed (${message.split('\n')[0]})`;
  return `YAML syntax error: ${message.split('\n')[0]}`;
}
