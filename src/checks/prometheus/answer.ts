/**
 * What a Prometheus instant query answered, as a measurement's value: a scalar or a one-series vector
 * is a number; several series a list of numbers ordered by their label sets; an empty vector is no
 * data (not zero, not an error); "NaN" and "±Inf" are the numbers they name. A Prometheus error —
 * `status: error`, HTTP 400/422/503, or any answer that is not the API's JSON — is an error of the
 * measurement, never a value, and its message names the query.
 */
export type Reading = { value: number | number[] | string | null; display: string; noData: boolean } | { error: { kind: string; message: string } };

interface Sample {
  metric?: Record<string, string>;
  value?: [number, string];
}

interface ApiAnswer {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

export function readAnswer(httpStatus: number, body: string, query: string): Reading {
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
  const { resultType, result } = answer.data ?? {};
  switch (resultType) {
    case 'scalar':
      return number(sampleValue(result));
    case 'string':
      return Array.isArray(result) && typeof result[1] === 'string'
        ? { value: result[1], display: JSON.stringify(result[1]), noData: false }
        : failed('answer', 'a string result without its value', query);
    case 'vector':
      return vector(result, query);
    case 'matrix':
      return failed('query', 'the query returns a range vector (e.g. `metric[5m]`); a check needs an instant value — wrap it, e.g. in rate()', query);
    default:
      return failed('answer', `an unknown result type ${JSON.stringify(resultType)}`, query);
  }
}

function vector(result: unknown, query: string): Reading {
  if (!Array.isArray(result)) return failed('answer', 'a vector result that is not a list', query);
  if (result.length === 0) return { value: null, display: 'no data', noData: true };
  const samples = (result as Sample[]).map((sample) => ({ labels: labelKey(sample.metric ?? {}), value: sampleValue(sample.value) }));
  if (samples.length === 1) return number((samples[0] as { value: number }).value);
  samples.sort((a, b) => (a.labels < b.labels ? -1 : a.labels > b.labels ? 1 : 0));
  const values = samples.map((sample) => sample.value);
  return { value: values, display: `[${values.map(formatNumber).join(', ')}]`, noData: false };
}

function number(value: number): Reading {
  return { value, display: formatNumber(value), noData: false };
}

/** Prometheus sends sample values as strings: "0.034", "NaN", "+Inf", "-Inf". */
function sampleValue(pair: unknown): number {
  const text = Array.isArray(pair) ? pair[1] : undefined;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return typeof text === 'string' ? Number(text) : Number.NaN;
}

/** Short and exact enough to read: up to four significant digits, no exponent for everyday sizes. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e15)) return value.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(4)));
}

function labelKey(metric: Record<string, string>): string {
  return Object.keys(metric)
    .sort()
    .map((name) => `${name}=${JSON.stringify(metric[name])}`)
    .join(',');
}

function describeBody(body: string): string {
  const text = body.trim().replace(/\s+/g, ' ');
  if (text === '') return 'an empty body';
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

function failed(kind: 'query' | 'server' | 'answer', message: string, query: string): Reading {
  return { error: { kind, message: `${message} (query: ${oneLine(query)})` } };
}

/** The query on one line, shortened: it goes into messages, not into a report of its own. */
export function oneLine(query: string): string {
  const text = query.trim().replace(/\s+/g, ' ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
