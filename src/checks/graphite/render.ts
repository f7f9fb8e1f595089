import { describeBody, latestPoint, oneLine } from '../metric/reading.js';
import type { Reading } from '../metric/source.js';

interface RenderSeries {
  target?: unknown;
  datapoints?: unknown;
}

/**
 * Graphite's `format=json` answer: a list of `{target, datapoints: [[value|null, timestamp], …]}`.
 * Each series is its latest non-null value; a series of nulls (nothing sent in the window) is
 * dropped; none left is no data. An empty list (no metric matches) is no data too, not an error —
 * Graphite cannot tell a typo in a path from a metric that has not been sent yet.
 */
export function readRender(status: number, body: string, target: string): Reading {
  if (status !== 200) {
    const kind = status === 400 ? 'query' : 'server';
    return failed(kind, `Graphite answered HTTP ${status}: ${describeBody(firstLine(body))}`, target);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return failed('answer', `the server answered HTTP 200 with ${describeBody(body)}, not Graphite's render JSON`, target);
  }
  if (!Array.isArray(answer)) return failed('answer', `the server answered ${describeBody(body)}, not a list of series`, target);
  const series = [];
  for (const one of answer as RenderSeries[]) {
    if (!Array.isArray(one?.datapoints)) return failed('answer', 'a series without datapoints', target);
    const points = (one.datapoints as unknown[]).map((point) => {
      const [value, time] = Array.isArray(point) ? point : [];
      return [Number(time), typeof value === 'number' ? value : null] as const;
    });
    const value = latestPoint(points);
    if (value !== null) series.push({ labels: { target: String(one.target) }, value });
  }
  return { kind: 'series', series };
}

/** Graphite's errors are text or an HTML page: its first line says what went wrong. */
function firstLine(body: string): string {
  return (
    body
      .replace(/<[^>]*>/g, ' ')
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}

function failed(kind: string, message: string, target: string): Reading {
  return { kind: 'error', error: { kind, message: `${message} (target: ${oneLine(target)})` } };
}
