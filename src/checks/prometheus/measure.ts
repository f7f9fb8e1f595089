import type { MeasureContext, Measurement } from '../kind.js';
import { measureComparison } from './compare.js';
import { runInstantQuery } from './query.js';
import type { PrometheusSpec } from './schema.js';

/**
 * One query, as a measurement. No data and every kind of "could not ask" are told apart: an empty
 * vector is `noData` (the conditions and `onNoData` decide), a server that is down or a query it
 * rejects is an `error` (counted against maxConsecutiveErrors, never a failure of the canary).
 */
export async function measurePrometheus(spec: PrometheusSpec, ctx: MeasureContext, signal: AbortSignal): Promise<Measurement> {
  if (spec.compare) return measureComparison(spec, spec.compare, ctx, signal);
  const outcome = await runInstantQuery(
    { server: spec.server, query: spec.query, headers: spec.headers, timeoutMs: ctx.timeoutMs, ca: spec.ca, insecure: spec.insecure, proxy: spec.proxy },
    ctx.http,
    ctx.now() / 1000,
    signal,
  );
  if ('error' in outcome) return { value: null, display: outcome.error.message, error: outcome.error, latencyMs: outcome.latencyMs };
  return { value: outcome.value, display: outcome.display, latencyMs: outcome.latencyMs, ...(outcome.noData ? { noData: true } : {}) };
}
