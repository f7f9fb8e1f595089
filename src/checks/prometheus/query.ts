import type { MetricSpec, Range, RangeReading, Reading, SourceIo } from '../metric/source.js';
import { oneLine, parseAnswer, parseRangeAnswer } from './answer.js';
import type { PrometheusQuery } from './schema.js';

/**
 * One instant query (`GET /api/v1/query`) at `time`. Prometheus is told a `timeout` a little under
 * ours, so a slow query comes back as Prometheus's own "query timed out" rather than as silence.
 */
export async function runInstantQuery(spec: MetricSpec<PrometheusQuery>, timeSeconds: number | null, io: SourceIo): Promise<Reading> {
  const target = { server: spec.server, query: spec.query.query, timeoutMs: io.timeoutMs };
  const answer = await io.fetch({ url: queryUrl(target, timeSeconds) });
  if (!answer.ok) return unreachable(spec, answer.error);
  return parseAnswer(answer.status, answer.body, target.query);
}

/** `GET /api/v1/query_range`: labelled series over a range, for comparisons over a window. */
export async function runRangeQuery(spec: MetricSpec<PrometheusQuery>, range: Range, io: SourceIo): Promise<RangeReading> {
  const url = new URL(
    queryUrl({ server: spec.server, query: spec.query.query, timeoutMs: io.timeoutMs }, null).replace('/api/v1/query?', '/api/v1/query_range?'),
  );
  url.searchParams.set('start', (range.startMs / 1000).toFixed(3));
  url.searchParams.set('end', (range.endMs / 1000).toFixed(3));
  url.searchParams.set('step', `${Math.max(1, Math.round(range.stepMs / 1000))}s`);
  const answer = await io.fetch({ url: url.href });
  if (!answer.ok) return unreachable(spec, answer.error);
  return parseRangeAnswer(answer.status, answer.body, spec.query.query);
}

function unreachable(spec: MetricSpec<PrometheusQuery>, error: { kind: string; message: string }): { kind: 'error'; error: { kind: string; message: string } } {
  const where = error.kind === 'rate-limit' ? `Prometheus at ${serverLabel(spec.server)}` : `could not reach Prometheus at ${serverLabel(spec.server)}`;
  return { kind: 'error', error: { kind: error.kind, message: `${where}: ${error.message} (query: ${oneLine(spec.query.query)})` } };
}

export function queryUrl(target: { server: string; query: string; timeoutMs: number }, timeSeconds: number | null): string {
  const url = new URL(target.server);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
  url.search = '';
  url.searchParams.set('query', target.query);
  if (timeSeconds !== null) url.searchParams.set('time', timeSeconds.toFixed(3));
  url.searchParams.set('timeout', `${Math.max(1, target.timeoutMs - Math.min(500, Math.floor(target.timeoutMs / 5)))}ms`);
  return url.href;
}

/** Scheme, host and port: a server URL may carry credentials, which messages must not. */
export function serverLabel(server: string): string {
  const url = new URL(server);
  return `${url.protocol}//${url.host}`;
}
