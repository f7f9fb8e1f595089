import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { agentFor, closeAgents, proxyAuthorization, type Target } from './agents.js';
import { proxyLabel } from './proxy.js';

/** Bodies are read up to this much, then the response is dropped: a health check is not a download. */
export const MAX_BODY_BYTES = 64 * 1024;

export type TransportErrorKind = 'timeout' | 'refused' | 'dns' | 'reset' | 'tls' | 'body' | 'network';

export interface HttpRequest extends Target {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export type HttpAnswer =
  | { ok: true; status: number; headers: Record<string, string>; body: string; latencyMs: number }
  | { ok: false; status: number | null; error: { kind: TransportErrorKind; message: string }; latencyMs: number };

/** Ends every pooled connection; called once a command is done measuring. */
export function closeHttpAgents(): void {
  closeAgents();
}

/**
 * One GET with one deadline covering connect, headers and body. Redirects are not followed: a
 * 302 to a login page is a failure unless the plan expects 302. This is the only function the
 * http kind calls for I/O, so the transport can be swapped without touching the kind.
 */
export function httpGet(check: HttpRequest, signal: AbortSignal): Promise<HttpAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  return new Promise<HttpAnswer>((resolve) => {
    let settled = false;
    const settle = (answer: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal.removeEventListener('abort', onAbort);
      resolve(answer);
    };
    const fail = (status: number | null, error: { kind: TransportErrorKind; message: string }) => settle({ ok: false, status, error, latencyMs: elapsed() });
    let request: http.ClientRequest;
    try {
      request = startRequest(check);
    } catch (error) {
      // e.g. a header value with a newline (from `${env.X}`): a failed poll, not a crash.
      resolve({ ok: false, status: null, latencyMs: elapsed(), error: { kind: 'network', message: `invalid request: ${(error as Error).message}` } });
      return;
    }
    const deadline = setTimeout(() => {
      fail(null, { kind: 'timeout', message: `no complete response within ${check.timeoutMs}ms` });
      request.destroy();
    }, check.timeoutMs);
    const onAbort = () => {
      fail(null, { kind: 'network', message: 'poll cancelled' });
      request.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });

    request.on('error', (error: NodeJS.ErrnoException) => fail(null, classify(error, check.proxy)));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_BODY_BYTES) {
          fail(status, { kind: 'body', message: `body too large (over ${MAX_BODY_BYTES / 1024} KiB)` });
          response.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        settle({ ok: true, status, headers, body: Buffer.concat(chunks).toString('utf8'), latencyMs: elapsed() });
      });
      response.on('error', (error: NodeJS.ErrnoException) => fail(status, classify(error, check.proxy)));
    });
    request.end();
  });
}

/**
 * A direct GET, or through a proxy: http URLs as an absolute-URI request to the proxy, https ones
 * through a CONNECT tunnel (see agents.ts).
 */
function startRequest(check: HttpRequest): http.ClientRequest {
  const url = new URL(check.url);
  const headers = { 'user-agent': 'rolloutctl', accept: '*/*', ...check.headers };
  const agent = agentFor(url, check);
  if (url.protocol === 'https:') return https.request(url, { method: 'GET', headers, agent, timeout: check.timeoutMs });
  if (check.proxy === null) return http.request(url, { method: 'GET', headers, agent });
  const proxy = new URL(check.proxy);
  const auth =
    url.username || url.password
      ? { authorization: `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` }
      : {};
  return http.request({
    host: proxy.hostname,
    port: Number(proxy.port || 80),
    method: 'GET',
    path: `${url.protocol}//${url.host}${url.pathname}${url.search}`,
    headers: { host: url.host, ...auth, ...headers, ...proxyAuthorization(proxy) },
    agent,
  });
}

function classify(error: NodeJS.ErrnoException, proxy: string | null): { kind: TransportErrorKind; message: string } {
  const result = classifyError(error);
  return proxy === null ? result : { ...result, message: `${result.message} (via proxy ${proxyLabel(proxy)})` };
}

function classifyError(error: NodeJS.ErrnoException): { kind: TransportErrorKind; message: string } {
  const code = error.code ?? '';
  const kind: TransportErrorKind =
    code === 'ECONNREFUSED'
      ? 'refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'dns'
        : code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE'
          ? 'reset'
          : code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('SELF_SIGNED') || code === 'EPROTO'
            ? 'tls'
            : 'network';
  const label = { refused: 'connection refused', dns: 'DNS lookup failed', reset: 'connection reset', tls: 'TLS error', network: 'network error' }[
    kind as 'refused' | 'dns' | 'reset' | 'tls' | 'network'
  ];
  return { kind, message: code ? `${label} (${code})${kind === 'tls' || kind === 'network' ? `: ${error.message}` : ''}` : `${label}: ${error.message}` };
}
