import { conditionTree } from './condition.js';

export type Comparison = '<' | '<=' | '>' | '>=';

/**
 * A condition's shape when it is a plain comparison of one field of `result` with numbers:
 * `result <op> n`, `result.latencyMs < 250`, `0.5 > result` (read as `result < 0.5`), or several
 * such clauses on the same field joined all by `&&` or all by `||`. This is what a chart can draw
 * (report/threshold.ts); it is read from the compiled syntax tree, never from the text.
 */
export interface ConditionBounds {
  /** Field path inside `result`, e.g. ['latencyMs']; [] for `result` itself. */
  path: string[];
  join: 'and' | 'or';
  /** Each clause as `result.<path> <op> <number>`. */
  clauses: { op: Comparison; number: number }[];
}

const FLIP: Record<Comparison, Comparison> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const JOIN = { '&&': 'and', '||': 'or' } as const;

interface Node {
  op: string;
  args: unknown;
}

/** The bounds of a compiled condition, or null when it is anything richer than plain comparisons. */
export function boundsOf(text: string): ConditionBounds | null {
  const tree = conditionTree(text);
  if (!isNode(tree)) return null;
  const join = tree.op === '&&' || tree.op === '||' ? JOIN[tree.op] : 'and';
  const clauses = tree.op === '&&' || tree.op === '||' ? flatten(tree, tree.op) : [tree];
  const read = clauses.map(readClause);
  if (read.some((c) => c === null)) return null;
  const valid = read as { path: string[]; op: Comparison; number: number }[];
  const path = valid[0]!.path;
  if (valid.some((c) => c.path.join('.') !== path.join('.'))) return null;
  return { path, join, clauses: valid.map(({ op, number }) => ({ op, number })) };
}

function flatten(node: Node, op: string): Node[] {
  if (node.op !== op) return [node];
  const args = node.args as unknown[];
  return args.flatMap((arg) => (isNode(arg) ? flatten(arg, op) : [arg as Node]));
}

function readClause(node: Node): { path: string[]; op: Comparison; number: number } | null {
  if (!isNode(node) || !(node.op in FLIP) || !Array.isArray(node.args)) return null;
  const [left, right] = node.args as unknown[];
  const op = node.op as Comparison;
  const leftPath = pathOf(left);
  if (leftPath) {
    const number = numberOf(right);
    return number === null ? null : { path: leftPath, op, number };
  }
  const rightPath = pathOf(right);
  const number = numberOf(left);
  return rightPath && number !== null ? { path: rightPath, op: FLIP[op], number } : null;
}

/** `result` → [], `result.a.b` → ['a', 'b']; anything else → null. */
function pathOf(node: unknown): string[] | null {
  if (!isNode(node)) return null;
  if (node.op === 'id') return node.args === 'result' ? [] : null;
  if (node.op !== '.' || !Array.isArray(node.args)) return null;
  const [object, field] = node.args as unknown[];
  const base = pathOf(object);
  return base && typeof field === 'string' ? [...base, field] : null;
}

function numberOf(node: unknown): number | null {
  if (!isNode(node)) return null;
  if (node.op === '-_') {
    const inner = numberOf(node.args);
    return inner === null ? null : -inner;
  }
  if (node.op !== 'value') return null;
  const value = typeof node.args === 'bigint' ? Number(node.args) : node.args;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && typeof (value as { op?: unknown }).op === 'string';
}
