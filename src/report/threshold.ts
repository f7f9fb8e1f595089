/**
 * The threshold a chart draws, read from a check's `pass:`/`fail:` condition text when it has the
 * plain shape `result <op> <number>` (or `result.latencyMs < 250`, `0.5 > result`), possibly
 * several such clauses joined by `&&` or by `||`. Anything richer draws no threshold: the chart
 * still shows each measurement's outcome, which is what decided.
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
const CLAUSE = /^(result(?:\.[A-Za-z_$][\w$]*)*)\s*(<=|>=|<|>)\s*([-+]?\d[\d_]*(?:\.\d+)?(?:e[-+]?\d+)?)$/i;
const REVERSED = /^([-+]?\d[\d_]*(?:\.\d+)?(?:e[-+]?\d+)?)\s*(<=|>=|<|>)\s*(result(?:\.[A-Za-z_$][\w$]*)*)$/i;
const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

export function thresholdOf(pass: string | null | undefined, fail: string | null | undefined): Threshold | null {
  const parsed = [pass ? parseCondition(pass) : null, fail ? parseCondition(fail) : null];
  if ((pass && !parsed[0]) || (fail && !parsed[1]) || (!parsed[0] && !parsed[1])) return null;
  const paths = new Set(parsed.flatMap((p) => (p ? [p.path] : [])));
  if (paths.size !== 1) return null;
  const [pass_, fail_] = parsed;
  // With both conditions, failing is where `fail:` holds; where neither holds is inconclusive.
  const bad = fail_ ? merge(fail_.holds) : complement(pass_!.holds);
  const unsure = pass_ && fail_ ? intersectAll(complement(pass_.holds), complement(fail_.holds)) : [];
  const lines = [...new Set(parsed.flatMap((p) => p?.numbers ?? []))].sort((a, b) => a - b);
  const path = [...paths][0]!;
  return {
    path: path === '' ? [] : path.split('.'),
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

function parseCondition(text: string): { path: string; numbers: number[]; holds: Interval[] } | null {
  const body = unwrap(text.trim());
  const and = body.split('&&');
  const or = body.split('||');
  if (and.length > 1 && or.length > 1) return null;
  const clauses = (and.length > 1 ? and : or).map((clause) => parseClause(unwrap(clause.trim())));
  if (clauses.some((c) => c === null)) return null;
  const valid = clauses as { path: string; number: number; holds: Interval }[];
  const path = valid[0]!.path;
  if (valid.some((c) => c.path !== path)) return null;
  const holds = and.length > 1 ? [valid.map((c) => c.holds).reduce(intersect)] : merge(valid.map((c) => c.holds));
  return { path, numbers: valid.map((c) => c.number), holds: holds.filter(([lo, hi]) => lo <= hi) };
}

function parseClause(clause: string): { path: string; number: number; holds: Interval } | null {
  let match = CLAUSE.exec(clause);
  let path: string;
  let op: string;
  let raw: string;
  if (match) [, path, op, raw] = match as unknown as [string, string, string, string];
  else {
    match = REVERSED.exec(clause);
    if (!match) return null;
    [, raw, op, path] = match as unknown as [string, string, string, string];
    op = FLIP[op]!;
  }
  const number = Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(number)) return null;
  const holds: Interval = op.startsWith('<') ? [Number.NEGATIVE_INFINITY, number] : [number, Number.POSITIVE_INFINITY];
  return { path: path.replace(/^result\.?/, ''), number, holds };
}

function unwrap(text: string): string {
  return text.startsWith('(') && text.endsWith(')') && !text.slice(1, -1).includes('(') ? text.slice(1, -1).trim() : text;
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
