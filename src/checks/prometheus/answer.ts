import { describeBody, oneLine, resultOf, type Value } from '../metric/reading.js';
import type { RangeReading, Reading } from '../metric/source.js';

export { formatNumber, oneLine } from '../metric/reading.js';

/**
 * What the Prometheus API answered, as a reading of the metric seam: a scalar is a number, a vector
 * its labelled series (empty: no data), a string its text; "NaN" and "±Inf" are the numbers they
 * name. A Prometheus error — `status: error`, HTTP 400/422/503, or any answer that is not the API's
 * JSON — is an error of the measurement, never a value, and its message names the query.
 */
interface Sample {
  metric?: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

interface ApiAnswer {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/** The answer as conditions see it (the seam's normalisation): kept for its tests and callers. */
export function readAnswer(httpStatus: number, body: string, query: string): Value {
  return resultOf(parseAnswer(httpStatus, body, query));
}

export function parseAnswer(httpStatus: number, body: string, query: string): Reading {
  const data = parseData(httpStatus, body, query);
  if ('error' in data) return { kind: 'error', error: data.error };
  const { resultType, result } = data;
  switch (resultType) {
    case 'scalar':
      return { kind: 'scalar', value: sampleValue(result) };
    case 'string':
      return Array.isArray(result) && typeof result[1] === 'string'
        ? { kind: 'scalar', value: result[1] }
        : failed('answer', 'a string result without its value', query);
    case 'vector':
      if (!Array.isArray(result)) return failed('answer', 'a vector result that is not a list', query);
      return { kind: 'series', series: (result as Sample[]).map((sample) => ({ labels: sample.metric ?? {}, value: sampleValue(sample.value) })) };
    case 'matrix':
      return failed('query', 'the query returns a range vector (e.g. `metric[5m]`); a check needs an instant value — wrap it, e.g. in rate()', query);
    default:
      return failed('answer', `an unknown result type ${JSON.stringify(resultType)}`, query);
  }
}

/** A `query_range` answer: a matrix of labelled series, one point per step. */
export function parseRangeAnswer(httpStatus: number, body: string, query: string): RangeReading {
  const data = parseData(httpStatus, body, query);
  if ('error' in data) return { kind: 'error', error: data.error };
  if (data.resultType !== 'matrix' || !Array.isArray(data.result))
    return failed('answer', `a ${JSON.stringify(data.resultType)} result where a matrix was asked for`, query);
  return {
    kind: 'range',
    series: (data.result as Sample[]).map((sample) => ({
      labels: sample.metric ?? {},
      points: (sample.values ?? []).map((pair) => [pair[0] * 1000, sampleValue(pair)] as [number, number]),
    })),
  };
}

function parseData(httpStatus: number, body: string, query: string): { resultType?: string; result?: unknown } | { error: { kind: string; message: string } } {
  let answer: ApiAnswer;
  try {
    answer = JSON.parse(body) as ApiAnswer;
  } catch {
    return failed('answer', `the server answered HTTP ${httpStatus} with ${describeBody(body)}, not the Prometheus API's JSON`, query);
  }
  if (answer === null || typeof answer !== 'object') return failed('answer', `the server answered HTTP ${httpStatus} with ${describeBody(body)}`, query);
  if (answer.status !== 'success' || httpStatus !== 200) {
    const detail = answer.error ? `${answer.errorType ? `${answer.errorType}: ` : ''}${answer.error}` : describeBody(body);
    // 400 bad_data / 422 execution: the query is wrong; 503 and the rest: the server could not answer.
    const kind = httpStatus === 400 || httpStatus === 422 || answer.errorType === 'bad_data' ? 'query' : 'server';
    return failed(kind, `Prometheus answered HTTP ${httpStatus}: ${detail}`, query);
  }
  return answer.data ?? {};
}

/** Prometheus sends sample values as strings: "0.034", "NaN", "+Inf", "-Inf". */
function sampleValue(pair: unknown): number {
  const text = Array.isArray(pair) ? pair[1] : undefined;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return typeof text === 'string' ? Number(text) : Number.NaN;
}

function failed(kind: 'query' | 'server' | 'answer', message: string, query: string): { kind: 'error'; error: { kind: string; message: string } } {
  return { kind: 'error', error: { kind, message: `${message} (query: ${oneLine(query)})` } };
}
