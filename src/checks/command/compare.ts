import { type CompareSettings, compareCounts, compareDistributions } from '../../compare/index.js';
import type { MeasureContext, Measurement } from '../kind.js';

/**
 * A `command` check with `compare:`: the command prints both sides on its last line of output, as
 * JSON, each time it runs — the points of each side over the window so far for `mannWhitney`,
 * `{"baseline": [12.1, 11.8, …], "canary": [13.0, …]}`, or each side's counts for `fisher` and
 * `twoProportion`, `{"baseline": {"errors": 2, "total": 2660}, "canary": {"errors": 7, "total": 140}}`
 * — and src/compare judges them as it judges a metric source's series. The window is the command's
 * (ROLLOUT_WINDOW_START_MS tells it where the soak began). Output of another shape, or no output,
 * is an error of the measurement (could not measure: the message returned), never a verdict on the canary.
 */
export function judgeComparison(line: string, settings: CompareSettings, ctx: MeasureContext, latencyMs: number): Measurement | string {
  const sides = readSides(line, settings.method === 'mannWhitney');
  if (typeof sides === 'string') return `printed ${line === '' ? 'nothing' : 'no comparison'}: ${sides}`;
  const look = ctx.look ? { index: ctx.look.index, count: ctx.look.count } : null;
  const verdict =
    sides.kind === 'points' ? compareDistributions(sides.baseline, sides.canary, settings, look) : compareCounts(sides.baseline, sides.canary, settings, look);
  return { value: verdict.detail, display: verdict.display, verdict: verdict.outcome, reason: verdict.reason, reasonKind: 'compare', latencyMs };
}

/** The environment a comparing command gets on top of the check's: which look it is and where the window starts. */
export function comparisonEnv(ctx: MeasureContext): Record<string, string> {
  if (!ctx.look) return {};
  return {
    ROLLOUT_LOOK: String(ctx.look.index),
    ROLLOUT_LOOKS: String(ctx.look.count),
    ROLLOUT_WINDOW_START_MS: String(Math.floor(ctx.look.soakStartedAt)),
  };
}

type Sides =
  | { kind: 'points'; baseline: number[]; canary: number[] }
  | { kind: 'counts'; baseline: { events: number; total: number }; canary: { events: number; total: number } };

const POINTS_SHAPE = '{"baseline": [numbers…], "canary": [numbers…]}';
const COUNTS_SHAPE = '{"baseline": {"errors": n, "total": n}, "canary": {"errors": n, "total": n}}';

/** The two sides of a last line, or what is wrong with it (null in a list of points is no data: NaN). */
function readSides(line: string, points: boolean): Sides | string {
  const expected = `expected ${points ? POINTS_SHAPE : COUNTS_SHAPE} on the last line`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return expected;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return expected;
  const { baseline, canary } = parsed as Record<string, unknown>;
  if (points) {
    const list = (v: unknown) =>
      Array.isArray(v) && v.every((x) => x === null || (typeof x === 'number' && Number.isFinite(x)))
        ? v.map((x) => (x === null ? Number.NaN : (x as number)))
        : null;
    const b = list(baseline);
    const c = list(canary);
    return b && c ? { kind: 'points', baseline: b, canary: c } : `${expected} (finite numbers or null)`;
  }
  const count = (v: unknown) => {
    if (typeof v !== 'object' || v === null) return null;
    const { errors, total } = v as Record<string, unknown>;
    const whole = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
    return whole(errors) && whole(total) && errors <= total ? { events: errors, total } : null;
  };
  const b = count(baseline);
  const c = count(canary);
  return b && c ? { kind: 'counts', baseline: b, canary: c } : `${expected} (0 ≤ errors ≤ total)`;
}
