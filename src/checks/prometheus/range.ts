import type { HttpClient } from '../../http/client.js';
import { oneLine, readAnswer } from './answer.js';
import { type QueryTarget, serverLabel } from './query.js';

/** Prometheus refuses more than 11,000 points per series; stay under it by widening the step. */
const MAX_POINTS = 10_000;
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** One series of a range answer: its label set (as a key) and its points, oldest first. */
export interface RangeSeries {
  labels: string;
  points: { t: number; v: number }[];
}

export type RangeOutcome = { series: RangeSeries[]; latencyMs: number } | { error: { kind: string; message: string }; latencyMs: number };

/** `GET /api/v1/query_range` from `startMs` to `endMs` at `stepMs`; errors as the instant query words them. */
export async function runRangeQuery(
  target: QueryTarget,
  http: HttpClient,
  window: { startMs: number; endMs: number; stepMs: number },
  signal: AbortSignal,
): Promise<RangeOutcome> {
  const stepMs = Math.max(window.stepMs, Math.ceil((window.endMs - window.startMs) / MAX_POINTS));
  const url = new URL(target.server);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query_range`;
  url.search = '';
  url.searchParams.set('query', target.query);
  url.searchParams.set('start', (window.startMs / 1000).toFixed(3));
  url.searchParams.set('end', (Math.max(window.startMs, window.endMs) / 1000).toFixed(3));
  url.searchParams.set('step', `${stepMs}ms`);
  url.searchParams.set('timeout', `${Math.max(1, target.timeoutMs - Math.min(500, Math.floor(target.timeoutMs / 5)))}ms`);
  const answer = await http.request({
    url: url.href,
    headers: { accept: 'application/json', ...target.headers },
    timeoutMs: target.timeoutMs,
    maxBodyBytes: MAX_ANSWER_BYTES,
    ca: target.ca,
    insecure: target.insecure,
    proxy: target.proxy,
    signal,
  });
  const latencyMs = answer.latencyMs;
  if (answer.status === null || answer.error !== null) {
    const where = answer.status === null ? `could not reach Prometheus at ${serverLabel(target.server)}` : `Prometheus at ${serverLabel(target.server)}`;
    return {
      error: { kind: answer.error?.kind ?? 'network', message: `${where}: ${answer.error?.message ?? 'no answer'} (query: ${oneLine(target.query)})` },
      latencyMs,
    };
  }
  const matrix = readMatrix(answer.body);
  if (matrix !== null && answer.status === 200) return { series: matrix, latencyMs };
  // Not a matrix: the instant reader words every other answer (errors, a scalar) the same way.
  const reading = readAnswer(answer.status, answer.body, target.query);
  if ('error' in reading) return { error: reading.error, latencyMs };
  return {
    error: { kind: 'query', message: `the query does not give series over time (got ${reading.display}) (query: ${oneLine(target.query)})` },
    latencyMs,
  };
}

function readMatrix(body: string): RangeSeries[] | null {
  let answer: { status?: string; data?: { resultType?: string; result?: unknown } };
  try {
    answer = JSON.parse(body);
  } catch {
    return null;
  }
  if (answer?.status !== 'success' || answer.data?.resultType !== 'matrix' || !Array.isArray(answer.data.result)) return null;
  return (answer.data.result as { metric?: Record<string, string>; values?: [number, string][] }[]).map((item) => ({
    labels: JSON.stringify(Object.entries(item.metric ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))),
    points: (item.values ?? []).map(([t, v]) => ({ t: Number(t), v: parsePoint(v) })),
  }));
}

function parsePoint(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Every point of every series (a distribution pools its instances); NaN points are no data and dropped. */
export function poolPoints(series: RangeSeries[]): number[] {
  return series.flatMap((s) => s.points.map((p) => p.v)).filter((v) => !Number.isNaN(v));
}

/**
 * How much cumulative counters grew over the window, summed over their series: each series' rises,
 * a drop read as a restart (the new value is all growth), and a series born inside the window
 * counted from 0 — so a canary's first error, which creates its `code="500"` series, counts
 * (`rate()` and `increase()` never see a series' first sample).
 */
export function counterGrowth(series: RangeSeries[], windowStartSeconds: number): number {
  let total = 0;
  for (const { points } of series) {
    const values = points.filter((p) => Number.isFinite(p.v));
    const first = values[0];
    if (first === undefined) continue;
    if (first.t > windowStartSeconds + 0.001) total += first.v;
    for (let i = 1; i < values.length; i++) {
      const before = (values[i - 1] as { v: number }).v;
      const now = (values[i] as { v: number }).v;
      total += now >= before ? now - before : now;
    }
  }
  return total;
}
