import type { MeasureContext, Measurement } from '../kind.js';
import type { HttpSpec } from './schema.js';
import { httpGet } from './transport.js';

/** Characters of the body quoted in a failure reason: enough for `{"verdict":"p95 395ms > 200ms"}`. */
const EXCERPT_CHARS = 160;

/**
 * One GET, judged by the kind's own rules (status set, body regex, maximum latency). A refused
 * connection or a timeout is a *failed* measurement, not an error: the check watches the service
 * itself, so the service not answering is exactly what it must catch. Conditions see
 * `result = { status, latencyMs, body, headers }`, the body parsed when it is JSON.
 */
export async function measureHttp(spec: HttpSpec, ctx: Pick<MeasureContext, 'timeoutMs' | 'http'>, signal: AbortSignal): Promise<Measurement> {
  const answer = await httpGet(
    ctx.http,
    { url: spec.url, headers: spec.headers, timeoutMs: ctx.timeoutMs, ca: spec.ca, insecure: spec.insecure, proxy: spec.proxy },
    signal,
  );
  const latencyMs = answer.latencyMs;
  if (!answer.ok) {
    return {
      value: null,
      display: answer.error.message,
      verdict: 'fail',
      reason: answer.error.message,
      reasonKind: answer.error.kind,
      detail: { status: answer.status },
      latencyMs,
    };
  }
  const { status, body } = answer;
  const value = { status, latencyMs, body: parseBody(body, answer.headers['content-type']), headers: answer.headers };
  const display = `HTTP ${status} in ${Math.round(latencyMs)}ms`;
  const failed = (reasonKind: string, reason: string): Measurement => ({ value, display, verdict: 'fail', reason, reasonKind, detail: { status }, latencyMs });

  const statusOk = spec.expectStatus ? spec.expectStatus.includes(status) : status >= 200 && status < 300;
  if (!statusOk) return failed('status', `HTTP ${status} (expected ${spec.expectStatus ? spec.expectStatus.join(' or ') : '2xx'})${quote(body)}`);
  if (spec.bodyMatches !== null && !new RegExp(spec.bodyMatches).test(body)) return failed('body', `body does not match /${spec.bodyMatches}/${quote(body)}`);
  if (spec.maxLatencyMs !== null && latencyMs > spec.maxLatencyMs)
    return failed('latency', `answered in ${Math.round(latencyMs)}ms (max ${spec.maxLatencyMs}ms)`);
  return { value, display, verdict: 'pass', detail: { status }, latencyMs };
}

function parseBody(body: string, contentType: string | undefined): unknown {
  const looksJson = /\bjson\b/i.test(contentType ?? '') || /^\s*[[{]/.test(body);
  if (!looksJson) return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** `: <first 160 characters, white space collapsed>`; secrets are redacted from events later. */
export function quote(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  if (flat === '') return '';
  return `: ${flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat}`;
}
