import { logChoose } from './gamma.js';
import type { Alternative } from './mann-whitney.js';
import { pnorm, qnorm } from './normal.js';

/** Events out of trials on one side, e.g. 7 errors out of 140 requests. */
export interface Count {
  events: number;
  total: number;
}

/**
 * Fisher's exact test on the 2×2 table [[a.events, a.total − a.events], [b.events, b.total − b.events]]:
 * the p-value of R's `fisher.test` (conditional on the margins; two-sided sums the tables no more
 * likely than the one seen, with R's 1e-7 relative slack). "greater" asks whether `a`'s share is
 * higher. Exact at any count, so it is the test for sparse errors.
 */
export function fisherTest(a: Count, b: Count, alternative: Alternative = 'two.sided'): number {
  const x = a.events;
  const m = a.events + b.events; // events, both sides
  const n = a.total - a.events + (b.total - b.events); // non-events
  const k = a.total;
  const lo = Math.max(0, k - n);
  const hi = Math.min(k, m);
  const logs: number[] = [];
  for (let i = lo; i <= hi; i++) logs.push(logChoose(m, i) + logChoose(n, k - i));
  const top = Math.max(...logs);
  const weights = logs.map((l) => Math.exp(l - top));
  const total = weights.reduce((s, w) => s + w, 0);
  const d = weights.map((w) => w / total);
  const at = (i: number) => d[i - lo] as number;
  let p = 0;
  if (alternative === 'greater') for (let i = x; i <= hi; i++) p += at(i);
  else if (alternative === 'less') for (let i = lo; i <= x; i++) p += at(i);
  else {
    const seen = at(x) * (1 + 1e-7);
    for (const value of d) if (value <= seen) p += value;
  }
  return Math.min(1, p);
}

export interface ProportionTest {
  /** Yates-corrected chi-squared statistic; NaN when no side has an event (or every trial is one). */
  statistic: number;
  pValue: number;
  /** a's share minus b's, with its (Wald, Yates-widened) interval at `confLevel`. */
  difference: number;
  confInt: [number, number];
}

/** The two-sample test for equal proportions with continuity correction: R's `prop.test(c(a, b), c(na, nb))`. */
export function proportionTest(a: Count, b: Count, alternative: Alternative = 'two.sided', confLevel = 0.95): ProportionTest {
  const pa = a.events / a.total;
  const pb = b.events / b.total;
  const delta = pa - pb;
  const inverse = 1 / a.total + 1 / b.total;
  const yates = Math.min(0.5, Math.abs(delta) / inverse);
  const z = alternative === 'two.sided' ? qnorm((1 + confLevel) / 2) : qnorm(confLevel);
  const width = z * Math.sqrt((pa * (1 - pa)) / a.total + (pb * (1 - pb)) / b.total) + yates * inverse;
  const confInt: [number, number] =
    alternative === 'two.sided'
      ? [Math.max(delta - width, -1), Math.min(delta + width, 1)]
      : alternative === 'greater'
        ? [Math.max(delta - width, -1), 1]
        : [-1, Math.min(delta + width, 1)];
  const pooled = (a.events + b.events) / (a.total + b.total);
  let statistic = 0;
  for (const side of [a, b]) {
    const cells = [
      [side.events, side.total * pooled],
      [side.total - side.events, side.total * (1 - pooled)],
    ] as const;
    for (const [observed, expected] of cells) statistic += (Math.abs(observed - expected) - yates) ** 2 / expected;
  }
  // χ²(1) upper tail = 2·Φ(−√s); one-sided: the signed root.
  const pValue = alternative === 'two.sided' ? 2 * pnorm(-Math.sqrt(statistic)) : pnorm(Math.sign(delta) * Math.sqrt(statistic), alternative === 'less');
  return { statistic, pValue, difference: delta, confInt };
}
