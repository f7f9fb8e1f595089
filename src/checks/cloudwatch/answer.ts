import { describeBody } from '../metric/reading.js';

/** The fields of a `GetMetricData` answer a check reads (AWS JSON protocol: timestamps in epoch seconds). */
export interface ResultPage {
  results: {
    Id: string;
    Label?: string;
    Timestamps: number[];
    Values: (number | null)[];
    StatusCode?: 'Complete' | 'InternalError' | 'PartialData' | 'Forbidden';
    Messages?: { Code?: string; Value?: string }[];
  }[];
  nextToken: string | undefined;
}

/**
 * One page: `MetricDataResults[]` and `NextToken`, or an AWS error (`__type` and `message`): HTTP 403
 * or an `UnrecognizedClient`/`InvalidSignature`/`AccessDenied` type is a credentials problem, a
 * `Throttling` type a rate limit, anything else in 400 a bad query. All are errors, never values.
 */
export function readPage(status: number, body: string): ResultPage | { error: { kind: string; message: string } } {
  let answer: { MetricDataResults?: unknown; NextToken?: unknown; __type?: unknown; message?: unknown; Message?: unknown };
  try {
    answer = JSON.parse(body);
  } catch {
    return { error: { kind: 'answer', message: `CloudWatch answered HTTP ${status} with ${describeBody(body)}, not the API's JSON` } };
  }
  if (status !== 200) {
    const type =
      String(answer?.__type ?? '')
        .split('#')
        .at(-1) ?? '';
    const detail = `${type || `HTTP ${status}`}: ${String(answer?.message ?? answer?.Message ?? describeBody(body))}`;
    if (status === 403 || /UnrecognizedClient|InvalidSignature|AccessDenied|InvalidClientTokenId|ExpiredToken/.test(type))
      return { error: { kind: 'auth', message: `CloudWatch refused the credentials (HTTP ${status} ${detail})` } };
    if (/Throttl|LimitExceeded/.test(type)) return { error: { kind: 'rate-limit', message: `CloudWatch is throttling (HTTP ${status} ${detail})` } };
    return { error: { kind: status >= 500 ? 'server' : 'query', message: `CloudWatch answered HTTP ${status} ${detail}` } };
  }
  if (!Array.isArray(answer?.MetricDataResults))
    return { error: { kind: 'answer', message: `CloudWatch answered ${describeBody(body)} without MetricDataResults` } };
  const results = (answer.MetricDataResults as ResultPage['results']).map((result) => ({
    ...result,
    Timestamps: Array.isArray(result.Timestamps) ? result.Timestamps.map(Number) : [],
    Values: Array.isArray(result.Values) ? result.Values : [],
  }));
  return { results, nextToken: typeof answer.NextToken === 'string' && answer.NextToken !== '' ? answer.NextToken : undefined };
}
