import { type CompareSettings, compareCounts, compareDistributions, normaliseCompare, type RawCompare, type SideQuery } from '../../compare/index.js';
import { parseDuration } from '../../plan/duration.js';
import type { MeasureContext, Measurement, NormaliseContext } from '../kind.js';
import { counterGrowth, poolPoints, type RangeOutcome, runRangeQuery } from './range.js';
import type { PrometheusSpec } from './schema.js';

/** The `compare:` form of a prometheus check: both sides' queries, filled, and the comparison's settings. */
export interface PrometheusCompare {
  settings: CompareSettings;
  baseline: SideQuery;
  canary: SideQuery;
}

/** Without a soak to anchor it (a look), the window is this many steps back from now. */
const DEFAULT_STEPS = 60;

/**
 * A comparison as a measurement: each side's queries over the window so far (`query_range` from the
 * soak's start to now at `step`), handed to src/compare, whose verdict and explanation become the
 * measurement's verdict, reason and value. A query Prometheus cannot answer is an error of the
 * measurement, as for the instant form.
 */
export async function measureComparison(spec: PrometheusSpec, compare: PrometheusCompare, ctx: MeasureContext, signal: AbortSignal): Promise<Measurement> {
  // Whole milliseconds, start down and end up: the engine's clock is fractional, and a window a hair
  // under one step would lose the point at its end.
  const endMs = Math.ceil(ctx.now());
  const stepMs = compare.settings.stepMs ?? ctx.look?.intervalMs ?? 5_000;
  const startMs = Math.floor(ctx.look ? Math.min(ctx.look.soakStartedAt, endMs) : endMs - DEFAULT_STEPS * stepMs);
  const window = { startMs, endMs, stepMs };
  const ask = (query: string) =>
    runRangeQuery(
      { server: spec.server, query, headers: spec.headers, timeoutMs: ctx.timeoutMs, ca: spec.ca, insecure: spec.insecure, proxy: spec.proxy },
      ctx.http,
      window,
      signal,
    );
  const queries = [compare.baseline, compare.canary].flatMap((side) => (typeof side === 'string' ? [side] : [side.errors, side.total]));
  const answers = await Promise.all(queries.map(ask));
  const latencyMs = Math.max(...answers.map((a) => a.latencyMs));
  const failed = answers.find((a): a is Extract<RangeOutcome, { error: unknown }> => 'error' in a);
  if (failed) return { value: null, display: failed.error.message, error: failed.error, latencyMs };
  const series = answers.map((a) => (a as Extract<RangeOutcome, { series: unknown }>).series);
  const look = ctx.look ? { index: ctx.look.index, count: ctx.look.count } : null;
  const startSeconds = startMs / 1000;
  const verdict =
    compare.settings.method === 'mannWhitney'
      ? compareDistributions(poolPoints(series[0] ?? []), poolPoints(series[1] ?? []), compare.settings, look)
      : compareCounts(
          { events: counterGrowth(series[0] ?? [], startSeconds), total: counterGrowth(series[1] ?? [], startSeconds) },
          { events: counterGrowth(series[2] ?? [], startSeconds), total: counterGrowth(series[3] ?? [], startSeconds) },
          compare.settings,
          look,
        );
  return { value: verdict.detail, display: verdict.display, verdict: verdict.outcome, reason: verdict.reason, reasonKind: 'compare', latencyMs };
}

/** The compare block with its queries filled (each escaped where it lands, problems under its own key). */
export function normaliseComparison(raw: RawCompare, ctx: NormaliseContext, fill: (query: string, key: (string | number)[]) => string): PrometheusCompare {
  const settings = normaliseCompare(raw, raw.step === undefined ? null : (parseDuration(raw.step) ?? null), (key, message) => ctx.problem(key, message));
  const side = (query: SideQuery, name: 'baseline' | 'canary'): SideQuery =>
    typeof query === 'string'
      ? fill(query, ['compare', name])
      : { errors: fill(query.errors, ['compare', name, 'errors']), total: fill(query.total, ['compare', name, 'total']) };
  return { settings, baseline: side(raw.baseline, 'baseline'), canary: side(raw.canary, 'canary') };
}

/** The canary side's (error) query, which output shows as the check's query. */
export function canaryQuery(raw: Pick<RawCompare, 'canary'> | undefined): string {
  if (raw === undefined) return '';
  return typeof raw.canary === 'string' ? raw.canary : raw.canary.errors;
}

/** A distribution's points per side by the soak's end (one per step from its start); counts depend on traffic: null. */
export function comparisonPoints(
  compare: PrometheusCompare,
  timing: { soakMs: number; intervalMs: number },
): { points: number; needed: number; key: string } | null {
  if (compare.settings.method !== 'mannWhitney') return null;
  const step = compare.settings.stepMs ?? timing.intervalMs;
  return { points: Math.floor(timing.soakMs / step) + 1, needed: compare.settings.minSamples, key: 'compare.minSamples' };
}
