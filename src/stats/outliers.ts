import { quantile } from './describe.js';

/**
 * Tukey's fences: the values within [Q1 − k·IQR, Q3 + k·IQR] of their own sample (quartiles by R's
 * default type 7; k = 1.5 is Tukey's "outside"), in their order. A spike of a few seconds in a
 * latency series (a GC pause, a cold cache) otherwise weighs as much in the means behind the effect
 * size as a real regression. Non-finite values are left out (below three values nothing is ever
 * outside: the fences always reach the extremes).
 */
export function removeOutliers(values: readonly number[], k = 1.5): number[] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return finite;
  const sorted = [...finite].sort((a, b) => a - b);
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const fence = k * (q3 - q1);
  return finite.filter((v) => v >= q1 - fence && v <= q3 + fence);
}
