/** What a side's series looks like, for explanations: count, centre, tail and spread. */
export interface Summary {
  n: number;
  mean: number;
  median: number;
  p95: number;
  /** Sample standard deviation (n − 1); 0 for a single point. */
  sd: number;
}

/** Finite values only; NaN fields for an empty series. */
export function summarise(values: readonly number[]): Summary {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return { n, mean: Number.NaN, median: Number.NaN, p95: Number.NaN, sd: Number.NaN };
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { n, mean, median: quantile(xs, 0.5), p95: quantile(xs, 0.95), sd: Math.sqrt(variance) };
}

/** R's default (type 7) quantile of sorted values: linear between order statistics. */
export function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const below = sorted[lo] as number;
  const above = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return below + (h - lo) * (above - below);
}

/**
 * The common-language effect size: the chance that a random canary point is above a random
 * baseline point, ties counted half (0.5 = no difference).
 */
export function commonLanguageEffect(canary: readonly number[], baseline: readonly number[]): number {
  let above = 0;
  for (const c of canary) for (const b of baseline) above += c > b ? 1 : c === b ? 0.5 : 0;
  return above / (canary.length * baseline.length);
}
