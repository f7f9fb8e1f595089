import type { ComparisonDetail } from '../compare/verdict.js';

/**
 * A comparison check's looks as the chart draws them (issue 19): each look's baseline and canary
 * centre (median of the points, or the error share of the counts), the shift's interval placed on
 * the canary's scale (baseline centre + CI), and the top of the allowed band where the effect's
 * bound has the values' unit (mean ratio, count ratio or difference; a CLES bound has none: null).
 * Read from each `check.polled` value, the comparison's detail: no extra data in the events.
 */
export interface ComparisonSeries {
  b: (number | null)[];
  c: (number | null)[];
  lo: (number | null)[];
  hi: (number | null)[];
  allowed: (number | null)[];
  /** What the centres are: 'median' or 'error share'. */
  centre: string;
  /** The last look's full explanation (both sides, shift with CI, p vs level, effect vs bound). */
  text: string;
}

/** The detail of a comparison, when a measured value is one (the shape, never the kind's name). */
export function comparisonOf(value: unknown): ComparisonDetail | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const side = (s: unknown) => s !== null && typeof s === 'object';
  return typeof v.method === 'string' && side(v.baseline) && side(v.canary) && side(v.effect) && 'interval' in v ? (value as ComparisonDetail) : null;
}

export function newComparison(): ComparisonSeries {
  return { b: [], c: [], lo: [], hi: [], allowed: [], centre: 'median', text: '' };
}

/** Adds one look; returns the canary's centre, the value the outcome dots sit on. */
export function addLook(series: ComparisonSeries, detail: ComparisonDetail, text: string): number | null {
  const counts = 'share' in detail.baseline;
  series.centre = counts ? 'error share' : 'median';
  const centre = (s: ComparisonDetail['baseline']) => finite('share' in s ? s.share : s.median);
  const b = centre(detail.baseline);
  const c = centre(detail.canary);
  series.b.push(b);
  series.c.push(c);
  series.lo.push(b !== null && detail.interval ? finite(b + detail.interval[0]) : null);
  series.hi.push(b !== null && detail.interval ? finite(b + detail.interval[1]) : null);
  series.allowed.push(allowedTop(detail));
  if (text) series.text = text;
  return c;
}

/** The effect's bound in the values' unit, against this look's baseline. */
function allowedTop(detail: ComparisonDetail): number | null {
  const { measure, allowed } = detail.effect;
  const base = detail.baseline;
  if (measure === 'meanRatio' && 'mean' in base) return finite(base.mean * allowed);
  if (measure === 'ratio' && 'share' in base) return finite(base.share * allowed);
  if (measure === 'difference' && 'share' in base) return finite(base.share + allowed);
  return null;
}

function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}
