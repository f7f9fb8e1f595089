import type { HttpClient } from '../../http/client.js';
import { oneLine, type Reading, readAnswer } from './answer.js';

/** Enough for a few thousand series; a query answering more is a mistake a check should report. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export interface QueryTarget {
  /** Base URL of a Prometheus-compatible API, path prefix kept (e.g. `https://mimir/prometheus`). */
  server: string;
  query: string;
  headers: Record<string, string>;
  timeoutMs: number;
  ca: string | null;
  insecure: boolean;
  proxy: string | null;
}

export type QueryOutcome = Reading & { latencyMs: number };

/**
 * One instant query (`GET /api/v1/query`) at `time`. Prometheus is told a `timeout` a little under
 * ours, so a slow query comes back as Prometheus's own "query timed out" rather than as silence.
 */
export async function runInstantQuery(target: QueryTarget, http: HttpClient, timeSeconds: number | null, signal: AbortSignal): Promise<QueryOutcome> {
  const url = queryUrl(target, timeSeconds);
  const answer = await http.request({
    url,
    headers: { accept: 'application/json', ...target.headers },
    timeoutMs: target.timeoutMs,
    maxBodyBytes: MAX_ANSWER_BYTES,
    ca: target.ca,
    insecure: target.insecure,
    proxy: target.proxy,
    signal,
  });
  if (answer.status === null || answer.error !== null) {
    const reason = answer.error?.message ?? 'no answer';
    const where = answer.status === null ? `could not reach Prometheus at ${serverLabel(target.server)}` : `Prometheus at ${serverLabel(target.server)}`;
    return { error: { kind: answer.error?.kind ?? 'network', message: `${where}: ${reason} (query: ${oneLine(target.query)})` }, latencyMs: answer.latencyMs };
  }
  return { ...readAnswer(answer.status, answer.body, target.query), latencyMs: answer.latencyMs };
}

export function queryUrl(target: Pick<QueryTarget, 'server' | 'query' | 'timeoutMs'>, timeSeconds: number | null): string {
  const url = new URL(target.server);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
  url.search = '';
  url.searchParams.set('query', target.query);
  if (timeSeconds !== null) url.searchParams.set('time', timeSeconds.toFixed(3));
  url.searchParams.set('timeout', `${Math.max(1, target.timeoutMs - Math.min(500, Math.floor(target.timeoutMs / 5)))}ms`);
  return url.href;
}

/** Scheme, host and port: a server URL may carry credentials, which messages must not. */
export function serverLabel(server: string): string {
  const url = new URL(server);
  return `${url.protocol}//${url.host}`;
}
