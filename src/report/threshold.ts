import type { ConditionBounds } from '../conditions/bounds.js';

/**
 * The threshold a chart draws, from the bounds of a check's `pass:`/`fail:` conditions as the plan
 * compiled them (conditions/bounds.ts: plain comparisons of one field of `result` with numbers).
 * Anything richer draws no threshold: the chart still shows each measurement's outcome, which is
 * what decided.
 */
export interface Threshold {
  /** Field path inside `result` the clauses compare, e.g. ['latencyMs']; [] for `result` itself. */
  path: string[];
  /** The numbers compared against: drawn as lines. */
  lines: number[];
  /** Value ranges that fail, drawn as a red band; null = unbounded on that side. */
  bad: [number | null, number | null][];
  /** Value ranges where neither `pass:` nor `fail:` holds (inconclusive), drawn as an amber band. */
  unsure: [number | null, number | null][];
}

type Interval = [number, number];

/** A check's condition as a chart reads it: absent (null), or present with its bounds (null: not a plain comparison). */
export type ChartCondition = { bounds: ConditionBounds | null } | null;

export function thresholdOf(pass: ChartCondition, fail: ChartCondition): Threshold | null {
  const parsed = [pass ? holdsOf(pass.bounds) : null, fail ? holdsOf(fail.bounds) : null];
  if ((pass && !parsed[0]) || (fail && !parsed[1]) || (!parsed[0] && !parsed[1])) return null;
  const paths = new Set(parsed.flatMap((p) => (p ? [p.path.join('.')] : [])));
  if (paths.size !== 1) return null;
  const [pass_, fail_] = parsed;
  // With both conditions, failing is where `fail:` holds; where neither holds is inconclusive.
  const bad = fail_ ? merge(fail_.holds) : complement(pass_!.holds);
  const unsure = pass_ && fail_ ? intersectAll(complement(pass_.holds), complement(fail_.holds)) : [];
  const lines = [...new Set(parsed.flatMap((p) => p?.numbers ?? []))].sort((a, b) => a - b);
  return {
    path: (pass_ ?? fail_)!.path,
    lines,
    bad: bad.map(toJson),
    unsure: unsure.map(toJson),
  };
}

function toJson([lo, hi]: Interval): [number | null, number | null] {
  return [Number.isFinite(lo) ? lo : null, Number.isFinite(hi) ? hi : null];
}

function intersectAll(a: Interval[], b: Interval[]): Interval[] {
  return a.flatMap((x) => b.map((y) => intersect(x, y))).filter(([lo, hi]) => lo < hi);
}

/** Strips a leading `pass:`/`fail:` label, as the contract's `condition` field carries one. */
export function conditionText(condition: string): { which: 'pass' | 'fail' | null; text: string } {
  const match = /^\s*(pass|fail)\s*:\s*(.*)$/s.exec(condition);
  return match ? { which: match[1] as 'pass' | 'fail', text: match[2]! } : { which: null, text: condition };
}

/** Where a condition holds, as value ranges of the field it compares. */
function holdsOf(bounds: ConditionBounds | null): { path: string[]; numbers: number[]; holds: Interval[] } | null {
  if (bounds === null) return null;
  const clauses: Interval[] = bounds.clauses.map(({ op, number }) =>
    op.startsWith('<') ? [Number.NEGATIVE_INFINITY, number] : [number, Number.POSITIVE_INFINITY],
  );
  const holds = bounds.join === 'and' ? [clauses.reduce(intersect)] : merge(clauses);
  return { path: bounds.path, numbers: bounds.clauses.map((c) => c.number), holds: holds.filter(([lo, hi]) => lo <= hi) };
}

function intersect(a: Interval, b: Interval): Interval {
  return [Math.max(a[0], b[0]), Math.min(a[1], b[1])];
}

function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(intervals: Interval[]): Interval[] {
  const out: Interval[] = [];
  let from = Number.NEGATIVE_INFINITY;
  for (const [lo, hi] of merge(intervals)) {
    if (lo > from) out.push([from, lo]);
    from = Math.max(from, hi);
  }
  if (from < Number.POSITIVE_INFINITY) out.push([from, Number.POSITIVE_INFINITY]);
  return out;
}
