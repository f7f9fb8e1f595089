import type { Range, RangeReading } from './source.js';

type Series = Extract<RangeReading, { kind: 'range' }>['series'][number];
type Fetch = (query: number, range: Range) => Promise<RangeReading>;

/**
 * A comparison's series kept between looks, so each look fetches only the points since the last one
 * (a 5-minute soak at 1 s would otherwise ask for and parse up to 300 points per series at every
 * look). The last `REFETCH_STEPS` steps are asked for again each time: a point near "now" may still
 * change when a late scrape lands. Points sit on the grid `startMs + i·stepMs` that range queries
 * answer on, so new points replace old ones at the same instants and never add any in between.
 */
export interface KeptSeries {
  startMs: number;
  stepMs: number;
  /** The last grid instant fetched. */
  lastMs: number;
  /** Per query, its series by label set. */
  queries: Map<string, Series>[];
}

const REFETCH_STEPS = 2;

/**
 * Each query's series over `range`, fetching from the kept ones where they fit this window (same
 * start and step, whole-second step, as sources round it); otherwise the whole window, kept afresh.
 * On an error nothing kept changes, and the error is returned.
 */
export async function readSeries(
  kept: KeptSeries | undefined,
  queries: number,
  range: Range,
  fetch: Fetch,
): Promise<{ kind: 'error'; reading: Extract<RangeReading, { kind: 'error' }> } | { kind: 'series'; series: Series[][]; kept: KeptSeries }> {
  const { startMs, stepMs, endMs } = range;
  const fits = kept !== undefined && kept.startMs === startMs && kept.stepMs === stepMs && stepMs % 1000 === 0 && kept.lastMs <= endMs;
  const fromMs = fits ? Math.max(startMs, kept.lastMs - REFETCH_STEPS * stepMs) : startMs;
  const answers = await Promise.all(Array.from({ length: queries }, (_, i) => fetch(i, { startMs: fromMs, endMs, stepMs })));
  const failed = answers.find((a): a is Extract<RangeReading, { kind: 'error' }> => a.kind === 'error');
  if (failed) return { kind: 'error', reading: failed };
  const lastMs = startMs + Math.floor((endMs - startMs) / stepMs) * stepMs;
  // Past this point nothing can fail: the kept series are changed in place.
  const merged = answers.map((answer, i) => {
    const before = fits ? (kept.queries[i] ?? new Map<string, Series>()) : new Map<string, Series>();
    return mergeSeries(before, answer.kind === 'range' ? answer.series : [], fromMs);
  });
  return { kind: 'series', series: merged.map((byLabels) => [...byLabels.values()]), kept: { startMs, stepMs, lastMs, queries: merged } };
}

/**
 * Kept points before `fromMs`, then the new answer's points from it on, series matched by labels.
 * The kept arrays are this check's own and only cut at their tail and appended to, so a look costs
 * the points it fetched, not the window (points are oldest first).
 */
function mergeSeries(before: Map<string, Series>, fresh: Series[], fromMs: number): Map<string, Series> {
  for (const [key, series] of before) {
    let cut = series.points.length;
    while (cut > 0 && (series.points[cut - 1] as [number, number])[0] >= fromMs) cut--;
    if (cut === 0) before.delete(key);
    else series.points.length = cut;
  }
  for (const series of fresh) {
    const key = labelKey(series.labels);
    const old = before.get(key);
    if (old) for (const point of series.points) old.points.push(point);
    else before.set(key, { labels: series.labels, points: [...series.points] });
  }
  return before;
}

function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
