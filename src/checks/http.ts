import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { PollError, PollErrorKind } from '../engine/events.js';
import { proxyLabel } from '../http/proxy.js';
import type { HttpCheck } from '../plan/types.js';
import { agentFor, closeAgents, proxyAuthorization } from './agents.js';
import type { PollResult } from './types.js';

/** Bodies are read up to this much, then the response is dropped: a health check is not a download. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Ends every pooled connection; called once a command is done polling. */
export function closeHttpAgents(): void {
  closeAgents();
}

/**
 * One GET with one deadline covering connect, headers and body. Redirects are not followed: a
 * 302 to a login page is a failure unless the plan expects 302.
 */
export function pollHttp(check: HttpCheck, signal: AbortSignal): Promise<PollResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  return new Promise<PollResult>((resolve) => {
    let settled = false;
    const finish = (status: number | null, error: PollError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal.removeEventListener('abort', onAbort);
      resolve({ ok: error === null, status, latencyMs: elapsed(), error });
    };
    let request: http.ClientRequest;
    try {
      request = startRequest(check);
    } catch (error) {
      // e.g. a header value with a newline (from `${env.X}`): a failed poll, not a crash.
      resolve({ ok: false, status: null, latencyMs: elapsed(), error: { kind: 'network', message: `invalid request: ${(error as Error).message}` } });
      return;
    }
    const deadline = setTimeout(() => {
      finish(null, { kind: 'timeout', message: `no complete response within ${check.timeoutMs}ms` });
      request.destroy();
    }, check.timeoutMs);
    const onAbort = () => {
      finish(null, { kind: 'network', message: 'poll cancelled' });
      request.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });

    request.on('error', (error: NodeJS.ErrnoException) => finish(null, classify(error, check.proxy)));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_BODY_BYTES) {
          finish(status, { kind: 'body', message: `body too large (over ${MAX_BODY_BYTES / 1024} KiB)` });
          response.destroy();
        }
      });
      response.on('end', () => {
        const expected = check.expectStatus ? check.expectStatus.includes(status) : status >= 200 && status < 300;
        const want = check.expectStatus ? check.expectStatus.join(' or ') : '2xx';
        finish(status, expected ? null : { kind: 'status', message: `HTTP ${status} (expected ${want})` });
      });
      response.on('error', (error: NodeJS.ErrnoException) => finish(status, classify(error, check.proxy)));
    });
    request.end();
  });
}

/**
 * A direct GET, or through a proxy: http URLs as an absolute-URI request to the proxy, https ones
 * through a CONNECT tunnel (see agents.ts).
 */
function startRequest(check: HttpCheck): http.ClientRequest {
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

function classify(error: NodeJS.ErrnoException, proxy: string | null): PollError {
  const result = classifyError(error);
  return proxy === null ? result : { ...result, message: `${result.message} (via proxy ${proxyLabel(proxy)})` };
}

function classifyError(error: NodeJS.ErrnoException): PollError {
  const code = error.code ?? '';
  const kind: PollErrorKind =
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
