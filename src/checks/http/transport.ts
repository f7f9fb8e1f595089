import type { HttpClient } from '../../http/client.js';
import type { HttpErrorKind } from '../../http/errors.js';

export type TransportErrorKind = HttpErrorKind;

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  ca: string | null;
  insecure: boolean;
  proxy: string | null;
}

export type HttpAnswer =
  | { ok: true; status: number; headers: Record<string, string>; body: string; latencyMs: number }
  | { ok: false; status: number | null; error: { kind: TransportErrorKind; message: string }; latencyMs: number };

/**
 * One GET through the shared HTTP client (src/http): one deadline over connect, headers and body,
 * a 64 KiB body cap, no redirects followed (a 302 to a login page is a failure unless the plan
 * expects 302). The only function the http kind calls for I/O, so the transport stays swappable.
 */
export async function httpGet(client: HttpClient, check: HttpRequest, signal: AbortSignal): Promise<HttpAnswer> {
  const answer = await client.request({
    url: check.url,
    headers: check.headers,
    timeoutMs: check.timeoutMs,
    ca: check.ca,
    insecure: check.insecure,
    proxy: check.proxy,
    signal,
  });
  if (answer.error !== null || answer.status === null) {
    return { ok: false, status: answer.status, error: answer.error ?? { kind: 'network', message: 'no answer' }, latencyMs: answer.latencyMs };
  }
  const headers: Record<string, string> = {};
  for (const name in answer.headers) {
    const value = answer.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { ok: true, status: answer.status, headers, body: answer.body, latencyMs: answer.latencyMs };
}
