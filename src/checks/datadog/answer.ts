import { describeBody, latestPoint, oneLine } from '../metric/reading.js';
import type { Reading, Series } from '../metric/source.js';

/** The fields of Datadog's `MetricsQueryResponse` a check reads (API v1 `GET /api/v1/query`). */
interface QueryResponse {
  status?: string;
  error?: string;
  errors?: string[];
  series?: { metric?: string; scope?: string; tag_set?: string[]; expression?: string; pointlist?: unknown }[];
}

/**
 * Datadog's answer: `status: "ok"` and `series[]`, each a `pointlist` of `[timestamp_ms, value|null]`
 * labelled by its `scope` (the tags it is grouped by). Each series is its latest non-null point;
 * no series, or only nulls, is no data. HTTP 403/401 (bad keys), 400 (`errors`), `status: "error"`
 * are errors naming the query; a rate limit that could not be waited out comes from the shared client.
 */
export function readDatadogAnswer(status: number, body: string, query: string): Reading {
  let answer: QueryResponse;
  try {
    answer = JSON.parse(body) as QueryResponse;
  } catch {
    return failed('answer', `the server answered HTTP ${status} with ${describeBody(body)}, not Datadog's JSON`, query);
  }
  const detail = answer?.errors?.join('; ') ?? answer?.error ?? describeBody(body);
  if (status === 401 || status === 403) return failed('auth', `Datadog refused the API or application key (HTTP ${status}: ${detail})`, query);
  if (status !== 200) return failed(status === 400 ? 'query' : 'server', `Datadog answered HTTP ${status}: ${detail}`, query);
  if (answer?.status !== 'ok') return failed('query', `Datadog answered status ${JSON.stringify(answer?.status)}: ${detail}`, query);
  const series: Series[] = [];
  for (const one of answer.series ?? []) {
    if (!Array.isArray(one.pointlist)) return failed('answer', 'a series without its pointlist', query);
    const points = (one.pointlist as unknown[]).map((point) => {
      const [time, value] = Array.isArray(point) ? point : [];
      return [Number(time), typeof value === 'number' ? value : null] as const;
    });
    const value = latestPoint(points);
    if (value !== null) series.push({ labels: { scope: one.scope ?? (one.tag_set ?? []).join(','), expression: one.expression ?? one.metric ?? '' }, value });
  }
  return { kind: 'series', series };
}

function failed(kind: string, message: string, query: string): Reading {
  return { kind: 'error', error: { kind, message: `${message} (query: ${oneLine(query)})` } };
}
