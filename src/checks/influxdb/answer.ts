import { describeBody, latestPoint, oneLine } from '../metric/reading.js';
import type { Reading, Series } from '../metric/source.js';

interface InfluxSeries {
  name?: string;
  tags?: Record<string, string>;
  columns?: string[];
  values?: unknown[][];
}

interface InfluxAnswer {
  error?: string;
  results?: { statement_id?: number; error?: string; series?: InfluxSeries[] }[];
}

/**
 * InfluxDB 1.x's `/query` answer: `{results: [{series: [{name, tags, columns, values}]}]}`. Each
 * series' value columns (all but `time`) are labelled series judged on their latest non-null value;
 * a statement with no series, or only nulls, is no data. `error` at the top (the query does not
 * parse) or in the result (unknown function, database not found) is an error naming the query; a
 * check runs exactly one statement.
 */
export function readInfluxAnswer(status: number, body: string, query: string): Reading {
  let answer: InfluxAnswer;
  try {
    answer = JSON.parse(body) as InfluxAnswer;
  } catch {
    return failed('answer', `the server answered HTTP ${status} with ${describeBody(body)}, not InfluxDB's JSON`, query);
  }
  const error = answer?.error ?? (answer?.results?.length === 1 ? answer.results[0]?.error : undefined);
  if (status === 401 || status === 403) return failed('auth', `InfluxDB refused the credentials (HTTP ${status}${error ? `: ${error}` : ''})`, query);
  if (error !== undefined) return failed(status >= 500 ? 'server' : 'query', `InfluxDB answered HTTP ${status}: ${error}`, query);
  if (status !== 200 || !Array.isArray(answer?.results)) return failed('server', `InfluxDB answered HTTP ${status} with ${describeBody(body)}`, query);
  if (answer.results.length !== 1) return failed('query', `the query holds ${answer.results.length} statements; a check runs exactly one`, query);
  const series: Series[] = [];
  for (const one of answer.results[0]?.series ?? []) {
    const columns = one.columns ?? [];
    const time = columns.indexOf('time');
    const valueColumns = columns.map((name, index) => ({ name, index })).filter((column) => column.index !== time);
    for (const column of valueColumns) {
      const points = (one.values ?? []).map(
        (row) => [Number(row[time]), typeof row[column.index] === 'number' ? (row[column.index] as number) : null] as const,
      );
      const value = latestPoint(points);
      const labels = { name: one.name ?? '', ...(one.tags ?? {}), ...(valueColumns.length > 1 ? { column: column.name } : {}) };
      if (value !== null) series.push({ labels, value });
    }
  }
  return { kind: 'series', series };
}

function failed(kind: string, message: string, query: string): Reading {
  return { kind: 'error', error: { kind, message: `${message} (query: ${oneLine(query)})` } };
}
