import {
  type CompareSettings,
  compareCounts,
  compareDistributions,
  compareShape,
  counterGrowth,
  normaliseCompare,
  poolPoints,
  type RawCompare,
} from '../../compare/index.js';
import { parseDuration } from '../../plan/duration.js';
import type { MeasureContext, Measurement, NormaliseContext } from '../kind.js';
import { type KeptSeries, readSeries } from './kept-series.js';
import type { MetricSource, MetricSpec, SourceIo } from './source.js';

/** `compare:` on a metric check whose source answers range queries (Prometheus today). */
export const compareKey = compareShape
  .optional()
  .describe('Instead of a query with pass:/fail:, judge the canary against a baseline over the soak so far (docs/checks.md, "Comparisons").');

/** A side's queries, in the source's own query form: one for a distribution, two counters for counts. */
export type SideQueries<Query> = Query | { errors: Query; total: Query };

/** The `compare:` form with both sides' queries filled, and the comparison's settings. */
export interface MetricCompare<Query> {
  settings: CompareSettings;
  baseline: SideQueries<Query>;
  canary: SideQueries<Query>;
}

/** Without a soak to anchor it (no look), the window is this many steps back from now. */
const DEFAULT_STEPS = 60;
/** Servers refuse very many points per series (Prometheus: 11,000): widen the step instead. */
const MAX_POINTS = 10_000;

/** Each compared check's series between looks (keyed by its normalised compare block: one per check). */
const kept = new WeakMap<object, KeptSeries>();

/** Can this source compare? It must read ranges and turn a query text into its own query. */
export function comparable<Raw, Query>(
  source: MetricSource<Raw, Query>,
): source is MetricSource<Raw, Query> & Required<Pick<MetricSource<Raw, Query>, 'queryRange' | 'compareQuery'>> {
  return source.queryRange !== undefined && source.compareQuery !== undefined;
}

/** The compare block with its queries filled by the source (each escaped where it lands, problems under its own key). */
export function normaliseComparison<Query>(
  raw: RawCompare,
  ctx: NormaliseContext,
  fill: (text: string, key: (string | number)[]) => Query,
): MetricCompare<Query> {
  const settings = normaliseCompare(raw, raw.step === undefined ? null : (parseDuration(raw.step) ?? null), (key, message) => ctx.problem(key, message));
  const side = (text: RawCompare['baseline'], name: 'baseline' | 'canary'): SideQueries<Query> =>
    typeof text === 'string'
      ? fill(text, ['compare', name])
      : { errors: fill(text.errors, ['compare', name, 'errors']), total: fill(text.total, ['compare', name, 'total']) };
  return { settings, baseline: side(raw.baseline, 'baseline'), canary: side(raw.canary, 'canary') };
}

/** The canary side's (error) query: what output shows as the check's query. */
export function canaryQuery<Query>(compare: MetricCompare<Query>): Query {
  const side = compare.canary;
  return isCounts(side) ? side.errors : side;
}

function isCounts<Query>(side: SideQueries<Query>): side is { errors: Query; total: Query } {
  return typeof side === 'object' && side !== null && 'errors' in side && 'total' in side;
}

/**
 * A comparison as a measurement: each side's queries over the window so far (a range from the
 * soak's start to now at `step`), handed to src/compare, whose verdict and explanation become the
 * measurement's verdict, reason and value. A query the server cannot answer is an error of the
 * measurement, as for the instant form.
 */
export async function measureComparison<Raw, Query>(
  source: MetricSource<Raw, Query> & Required<Pick<MetricSource<Raw, Query>, 'queryRange'>>,
  spec: MetricSpec<Query> & { compare: MetricCompare<Query> },
  ctx: MeasureContext,
  io: SourceIo,
): Promise<Omit<Measurement, 'latencyMs'>> {
  const { compare } = spec;
  // Whole milliseconds, start down and end up: the engine's clock is fractional, and a window a hair
  // under one step would lose the point at its end.
  const endMs = Math.ceil(ctx.now());
  const wantedStepMs = compare.settings.stepMs ?? ctx.look?.intervalMs ?? 5_000;
  const startMs = Math.floor(ctx.look ? Math.min(ctx.look.soakStartedAt, endMs) : endMs - DEFAULT_STEPS * wantedStepMs);
  const stepMs = Math.max(wantedStepMs, Math.ceil((endMs - startMs) / MAX_POINTS));
  const sides = [compare.baseline, compare.canary].flatMap((side) => (isCounts(side) ? [side.errors, side.total] : [side]));
  // Within a soak, the series so far are kept between looks and only the new points fetched.
  const keep = ctx.look !== undefined;
  const read = await readSeries(keep ? kept.get(compare) : undefined, sides.length, { startMs, endMs, stepMs }, (i, range) =>
    source.queryRange({ ...spec, query: sides[i] as Query }, range, io),
  );
  if (read.kind === 'error') return { value: null, display: read.reading.error.message, error: read.reading.error };
  if (keep) kept.set(compare, read.kept);
  const { series } = read;
  const look = ctx.look ? { index: ctx.look.index, count: ctx.look.count } : null;
  const verdict =
    compare.settings.method === 'mannWhitney'
      ? compareDistributions(
          poolPoints(series[0] ?? [], compare.settings.nan === 'zero'),
          poolPoints(series[1] ?? [], compare.settings.nan === 'zero'),
          compare.settings,
          look,
        )
      : compareCounts(
          { events: counterGrowth(series[0] ?? [], startMs), total: counterGrowth(series[1] ?? [], startMs) },
          { events: counterGrowth(series[2] ?? [], startMs), total: counterGrowth(series[3] ?? [], startMs) },
          compare.settings,
          look,
        );
  return { value: verdict.detail, display: verdict.display, verdict: verdict.outcome, reason: verdict.reason, reasonKind: 'compare' };
}

/** A distribution's points per side by the soak's end (one per step from its start); counts depend on traffic: null. */
export function comparisonPoints<Query>(
  compare: MetricCompare<Query>,
  timing: { soakMs: number; intervalMs: number },
): { points: number; needed: number; key: string } | null {
  if (compare.settings.method !== 'mannWhitney') return null;
  const step = compare.settings.stepMs ?? timing.intervalMs;
  return { points: Math.floor(timing.soakMs / step) + 1, needed: compare.settings.minSamples, key: 'compare.minSamples' };
}
