import aws4 from 'aws4';
import { latestPoint } from '../metric/reading.js';
import type { MetricSpec, Reading, Series, SourceIo, Window } from '../metric/source.js';
import { type ResultPage, readPage } from './answer.js';
import type { CloudwatchQuery } from './schema.js';

/** Pages followed before giving up: a check's window holds a few hundred points, not thousands of pages. */
const MAX_PAGES = 10;

/**
 * `GetMetricData` over the window: one signed POST per page (AWS JSON 1.0 protocol), `NextToken`
 * followed until the answer has none, each query's `Timestamps`/`Values` merged across pages. A
 * `StatusCode` of `PartialData` on the last page is judged on what arrived; `InternalError` or
 * `Forbidden` makes the measurement an error.
 */
export async function getMetricData(spec: MetricSpec<CloudwatchQuery>, window: Window, io: SourceIo): Promise<Reading> {
  const accessKeyId = spec.query.credentials.accessKeyId ?? io.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = spec.query.credentials.secretAccessKey ?? io.env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = spec.query.credentials.sessionToken ?? io.env.AWS_SESSION_TOKEN;
  if (!accessKeyId || !secretAccessKey)
    return {
      kind: 'error',
      error: { kind: 'auth', message: 'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or accessKeyId: and secretAccessKey:' },
    };
  const credentials = { accessKeyId, secretAccessKey, sessionToken };
  const merged = new Map<string, { label: string; points: [number, number | null][] }>();
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = JSON.stringify({
      MetricDataQueries: spec.query.queries,
      StartTime: Math.floor((window.endMs - window.durationMs) / 1000),
      EndTime: Math.floor(window.endMs / 1000),
      ScanBy: 'TimestampDescending',
      ...(nextToken ? { NextToken: nextToken } : {}),
    });
    const answer = await io.fetch(signedRequest(spec, body, window.endMs, credentials));
    if (!answer.ok)
      return { kind: 'error', error: { kind: answer.error.kind, message: `CloudWatch at ${new URL(spec.server).host}: ${answer.error.message}` } };
    const read = readPage(answer.status, answer.body);
    if ('error' in read) return { kind: 'error', error: read.error };
    const failed = read.results.find((result) => result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden');
    if (failed)
      return { kind: 'error', error: { kind: 'server', message: `CloudWatch answered StatusCode ${failed.StatusCode} for ${failed.Id}${messages(failed)}` } };
    merge(merged, read.results);
    nextToken = read.nextToken;
    if (!nextToken) return { kind: 'series', series: seriesOf(spec, merged) };
  }
  return { kind: 'error', error: { kind: 'answer', message: `CloudWatch still had a NextToken after ${MAX_PAGES} pages; narrow the window or the queries` } };
}

function signedRequest(
  spec: MetricSpec<CloudwatchQuery>,
  body: string,
  nowMs: number,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined },
) {
  const url = new URL(spec.server);
  const signed = aws4.sign(
    {
      host: url.host,
      path: url.pathname || '/',
      method: 'POST',
      service: 'monitoring',
      region: spec.query.region,
      body,
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'GraniteServiceVersion20100801.GetMetricData',
        // The engine's clock, not the library's: a virtual clock signs what it says.
        'X-Amz-Date': new Date(nowMs).toISOString().replace(/[:-]|\.\d{3}/g, ''),
      },
    },
    {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
  );
  const headers: Record<string, string> = {};
  // Host and Content-Length are the client's to send (the same values the signature covers).
  for (const [name, value] of Object.entries(signed.headers ?? {})) if (!/^(host|content-length)$/i.test(name)) headers[name] = String(value);
  return { url: url.href, method: 'POST' as const, headers, body };
}

function merge(merged: Map<string, { label: string; points: [number, number | null][] }>, results: ResultPage['results']): void {
  for (const result of results) {
    const entry = merged.get(result.Id) ?? { label: result.Label ?? result.Id, points: [] };
    result.Timestamps.forEach((time, i) => {
      const value = result.Values[i];
      entry.points.push([time, typeof value === 'number' ? value : null]);
    });
    merged.set(result.Id, entry);
  }
}

function seriesOf(spec: MetricSpec<CloudwatchQuery>, merged: Map<string, { label: string; points: [number, number | null][] }>): Series[] {
  const returned = new Set(spec.query.queries.filter((query) => query.ReturnData !== false).map((query) => query.Id));
  const series: Series[] = [];
  for (const [id, { label, points }] of merged) {
    if (!returned.has(id)) continue;
    const value = latestPoint(points);
    if (value !== null) series.push({ labels: { id, label }, value });
  }
  return series;
}

function messages(result: { Messages?: { Code?: string; Value?: string }[] }): string {
  const text = (result.Messages ?? []).map((message) => `${message.Code ?? ''}: ${message.Value ?? ''}`).join('; ');
  return text ? ` (${text})` : '';
}
