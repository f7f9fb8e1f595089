/**
 * Reading series over a window for a comparison, whatever source sent them: each series is its
 * points `[epoch ms, value]`, oldest first (the metric seam's range reading).
 */
export interface PointSeries {
  points: readonly (readonly [number, number])[];
}

/**
 * Every point of every series (a distribution pools its instances); NaN points are no data and
 * dropped, unless `keepNaN` (the comparison's `nan: zero` reads them as 0: compareDistributions).
 */
export function poolPoints(series: readonly PointSeries[], keepNaN = false): number[] {
  const points = series.flatMap((s) => s.points.map(([, v]) => v));
  return keepNaN ? points : points.filter((v) => !Number.isNaN(v));
}

/**
 * How much cumulative counters grew over the window, summed over their series: each series' rises,
 * a drop read as a restart (the new value is all growth), and a series born inside the window
 * counted from 0 — so a canary's first error, which creates its `code="500"` series, counts
 * (`rate()` and `increase()` never see a series' first sample).
 */
export function counterGrowth(series: readonly PointSeries[], windowStartMs: number): number {
  let total = 0;
  for (const { points } of series) {
    const values = points.filter(([, v]) => Number.isFinite(v));
    const first = values[0];
    if (first === undefined) continue;
    if (first[0] > windowStartMs + 1) total += first[1];
    for (let i = 1; i < values.length; i++) {
      const before = (values[i - 1] as readonly [number, number])[1];
      const now = (values[i] as readonly [number, number])[1];
      total += now >= before ? now - before : now;
    }
  }
  return total;
}
