import type { Reading, Series } from './source.js';

/**
 * The one normalisation from what a source read to what conditions see as `result`: a scalar, or a
 * single series, is its number; several series are a list of numbers ordered by their label sets
 * (so the order is stable whatever order the server sent them in); no series is *no data* — not
 * zero, not an error. NaN and ±Inf are the numbers they name.
 */
export type Value = { value: number | number[] | string | null; display: string; noData: boolean } | { error: { kind: string; message: string } };

export function resultOf(reading: Reading): Value {
  if (reading.kind === 'error') return { error: reading.error };
  if (reading.kind === 'scalar')
    return typeof reading.value === 'string'
      ? { value: reading.value, display: JSON.stringify(reading.value), noData: false }
      : { value: reading.value, display: formatNumber(reading.value), noData: false };
  return seriesValue(reading.series);
}

function seriesValue(series: Series[]): Value {
  if (series.length === 0) return { value: null, display: 'no data', noData: true };
  if (series.length === 1) {
    const value = (series[0] as Series).value;
    return { value, display: formatNumber(value), noData: false };
  }
  const values = series
    .map((one) => ({ key: labelKey(one.labels), value: one.value }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((one) => one.value);
  return { value: values, display: `[${values.map(formatNumber).join(', ')}]`, noData: false };
}

/** The latest point that is a number: a windowed source's series is judged on where it is now. */
export function latestPoint(points: readonly (readonly [number, number | null])[]): number | null {
  let latest: [number, number] | null = null;
  for (const [time, value] of points) if (value !== null && Number.isFinite(time) && (latest === null || time >= latest[0])) latest = [time, value];
  return latest === null ? null : latest[1];
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

function labelKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
    .join(',');
}

/** A query on one line, shortened: it goes into messages, not into a report of its own. */
export function oneLine(query: string): string {
  const text = query.trim().replace(/\s+/g, ' ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** A body quoted in a message: trimmed, white space collapsed, at most 200 characters. */
export function describeBody(body: string): string {
  const text = body.trim().replace(/\s+/g, ' ');
  if (text === '') return 'an empty body';
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
