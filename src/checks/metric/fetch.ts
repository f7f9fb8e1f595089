import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpClient, HttpResult } from '../../http/client.js';
import type { MetricSpec, SourceAnswer, SourceIo, SourceRequest } from './source.js';

/** Enough for a few thousand series; a query answering more is a mistake a check should report. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** Time left for an attempt below which another one is not started: it could not finish. */
const MIN_ATTEMPT_MS = 100;
const TRANSIENT_ERRORS = new Set(['refused', 'reset']);
const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);

/**
 * The shared client as a source sees it: the check's headers, TLS trust and proxy on every request,
 * one deadline (the check's `timeout:`) over all attempts, and up to `retries` more attempts after a
 * transient error — a refused or reset connection, HTTP 429 or 502–504, or what the source calls
 * transient (`isTransient`). A 429 waits as long as the
 * server asks (`Retry-After`, or Datadog's `X-RateLimit-Reset` seconds) when that fits the deadline,
 * and otherwise says so. Whatever is left after the retries is the source's to read: still an error
 * of the measurement, never a failure of the canary.
 */
export function sourceIo(
  spec: MetricSpec<unknown>,
  ctx: { http: HttpClient; timeoutMs: number; env: Readonly<Record<string, string>> },
  signal: AbortSignal,
  alsoTransient: (status: number, body: string) => boolean = () => false,
): SourceIo {
  const deadline = performance.now() + ctx.timeoutMs;
  const fetch = async (request: SourceRequest): Promise<SourceAnswer> => {
    for (let attempt = 0; ; attempt++) {
      const remaining = Math.max(1, Math.floor(deadline - performance.now()));
      const result = await ctx.http.request({
        url: request.url,
        method: request.method ?? 'GET',
        headers: { accept: 'application/json', ...spec.headers, ...request.headers },
        body: request.body,
        timeoutMs: remaining,
        maxBodyBytes: request.maxBodyBytes ?? MAX_ANSWER_BYTES,
        ca: spec.ca,
        insecure: spec.insecure,
        proxy: spec.proxy,
        signal,
      });
      const transient = isTransient(result) || (result.status !== null && result.error === null && alsoTransient(result.status, result.body));
      const wait = transient ? waitBefore(result, attempt) : null;
      const left = deadline - performance.now();
      if (attempt < spec.retries && wait !== null && wait + MIN_ATTEMPT_MS <= left && !signal.aborted) {
        await sleep(wait, undefined, { signal }).catch(() => undefined);
        continue;
      }
      return answerOf(result, wait, left, attempt + 1);
    }
  };
  return { fetch, env: ctx.env, timeoutMs: ctx.timeoutMs };
}

function isTransient(result: HttpResult): boolean {
  if (result.error !== null) return result.status === null && TRANSIENT_ERRORS.has(result.error.kind);
  return result.status !== null && TRANSIENT_STATUSES.has(result.status);
}

/** How long the server asked us to wait, else a short back-off (100 ms, 200 ms, 400 ms …). */
function waitBefore(result: HttpResult, attempt: number): number {
  if (result.status === 429) {
    const asked = seconds(header(result, 'retry-after')) ?? seconds(header(result, 'x-ratelimit-reset'));
    if (asked !== null) return asked * 1000;
  }
  return 100 * 2 ** attempt;
}

function answerOf(result: HttpResult, wait: number | null, leftMs: number, attempts: number): SourceAnswer {
  const tried = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  if (result.status === null || (result.error !== null && result.error.kind !== 'body'))
    return { ok: false, error: { kind: result.error?.kind ?? 'network', message: `${result.error?.message ?? 'no answer'}${tried}` } };
  if (result.error !== null) return { ok: false, error: { kind: 'answer', message: `HTTP ${result.status}: ${result.error.message}` } };
  if (result.status === 429) {
    const reset = wait !== null && wait > leftMs ? `; the limit resets in ${Math.ceil(wait / 1000)}s, after this measurement's deadline` : '';
    return { ok: false, error: { kind: 'rate-limit', message: `rate limited (HTTP 429)${reset}${tried}` } };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { ok: true, status: result.status, headers, body: result.body };
}

function header(result: HttpResult, name: string): string | undefined {
  const value = result.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function seconds(text: string | undefined): number | null {
  if (text === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(text)) return null;
  return Number(text);
}
