import type { MetricSpec, Range, RangeReading, Reading, SourceIo } from '../metric/source.js';
import { oneLine, parseAnswer, parseRangeAnswer } from './answer.js';
import type { PrometheusQuery } from './schema.js';

/**
 * One instant query (`GET /api/v1/query`) at `time`. Prometheus is told a `timeout` a little under
 * ours, so a slow query comes back as Prometheus's own "query timed out" rather than as silence.
 */
export async function runInstantQuery(spec: MetricSpec<PrometheusQuery>, timeSeconds: number | null, io: SourceIo): Promise<Reading> {
  const target = { server: spec.server, query: spec.query.query, timeoutMs: io.timeoutMs };
  const answer = await io.fetch({ url: timeSeconds === null ? queryUrl(target, null) : keptQueryUrl(spec.query, target, timeSeconds) });
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

/** A time no query is asked at, marking where the time goes in a built URL. */
const TIME_MARK = 1_234_567.891;
/** A check's URL around its time (null: the mark was not found once; built each time), by the check's query. */
const keptUrls = new WeakMap<object, { server: string; timeoutMs: number; parts: [string, string] | null }>();

/**
 * `queryUrl(target, time)` for a check that asks it every measurement: built once per check (kept by
 * its query object), then only the time put in. Building it each time (URLSearchParams encoding a
 * PromQL expression, often a rope of its interpolated pieces) was a tenth of what a soak of 200
 * queries allocated. Keyed by the object, not by text: hashing the text would walk it again.
 */
export function keptQueryUrl(key: object, target: { server: string; query: string; timeoutMs: number }, timeSeconds: number): string {
  let kept = keptUrls.get(key);
  if (kept === undefined || kept.server !== target.server || kept.timeoutMs !== target.timeoutMs) {
    const split = queryUrl(target, TIME_MARK).split(`time=${TIME_MARK.toFixed(3)}`);
    kept = { server: target.server, timeoutMs: target.timeoutMs, parts: split.length === 2 ? (split as [string, string]) : null };
    keptUrls.set(key, kept);
  }
  return kept.parts === null ? queryUrl(target, timeSeconds) : `${kept.parts[0]}time=${timeSeconds.toFixed(3)}${kept.parts[1]}`;
}

/** Scheme, host and port: a server URL may carry credentials, which messages must not. */
export function serverLabel(server: string): string {
  const url = new URL(server);
  return `${url.protocol}//${url.host}`;
}
