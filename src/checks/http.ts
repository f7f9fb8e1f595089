import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { PollError, PollErrorKind } from '../engine/events.js';
import type { HttpCheck } from '../plan/types.js';
import type { PollResult } from './types.js';

/** Bodies are read up to this much, then the response is dropped: a health check is not a download. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Keep-alive agents shared by every poll, so a soak reuses connections instead of opening one per
 * poll. `closeHttpAgents` ends them all at exit.
 */
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

export function closeHttpAgents(): void {
  agents.http.destroy();
  agents.https.destroy();
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
    const url = new URL(check.url);
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, {
      method: 'GET',
      headers: { 'user-agent': 'rolloutctl', accept: '*/*', ...check.headers },
      agent: url.protocol === 'https:' ? agents.https : agents.http,
    });
    const deadline = setTimeout(() => {
      finish(null, { kind: 'timeout', message: `no complete response within ${check.timeoutMs}ms` });
      request.destroy();
    }, check.timeoutMs);
    const onAbort = () => {
      finish(null, { kind: 'network', message: 'poll cancelled' });
      request.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });

    request.on('error', (error: NodeJS.ErrnoException) => finish(null, classify(error)));
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
      response.on('error', (error: NodeJS.ErrnoException) => finish(status, classify(error)));
    });
    request.end();
  });
}

function classify(error: NodeJS.ErrnoException): PollError {
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
