import { performance } from 'node:perf_hooks';
import { type Dispatcher, request as undiciRequest } from 'undici';
import { Dispatchers } from './dispatchers.js';
import { classifyError, type HttpError } from './errors.js';
import { proxyFor } from './proxy.js';

/** Bodies are read up to this much unless a request says otherwise: a health check is not a download. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Readonly<Record<string, string>>;
  body?: string;
  /** One deadline covering connect (and any proxy CONNECT), headers and body. */
  timeoutMs: number;
  maxBodyBytes?: number;
  /** PEM text of an extra CA to trust, added to the default roots. */
  ca?: string | null;
  /** Skip certificate verification. */
  insecure?: boolean;
  /** The proxy to go through, `null` for none; omitted: chosen from HTTP(S)_PROXY/NO_PROXY. */
  proxy?: string | null;
  signal?: AbortSignal;
}

/** What came back: a status and body, or an error (with the status when a response had begun). */
export interface HttpResult {
  status: number | null;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string;
  latencyMs: number;
  error: HttpError | null;
}

export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResult>;
  /** Ends every pooled connection; call once the command is done with HTTP. */
  close(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The one HTTP client: checks, metric queries and webhooks all go through it, so they share proxy
 * selection, TLS trust, pooled keep-alive connections and the same words for what went wrong.
 * Redirects are never followed: a 302 to a login page is an answer, not a detour to take.
 */
export function createHttpClient(env: Env): HttpClient {
  const dispatchers = new Dispatchers();
  return {
    request: (request) => send(request, env, dispatchers),
    close: () => dispatchers.destroy(),
  };
}

async function send(request: HttpRequest, env: Env, dispatchers: Dispatchers): Promise<HttpResult> {
  const started = performance.now();
  const done = (status: number | null, error: HttpError | null, body = '', headers: HttpResult['headers'] = {}): HttpResult => ({
    status,
    headers,
    body,
    latencyMs: Math.round((performance.now() - started) * 10) / 10,
    error,
  });
  let proxy = request.proxy;
  if (proxy === undefined) {
    const choice = proxyFor(request.url, env);
    if (!choice.ok) return done(null, { kind: 'network', message: choice.message });
    proxy = choice.proxy;
  }
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return done(null, { kind: 'network', message: 'invalid request: not a valid URL' });
  }
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([deadline.signal, request.signal]) : deadline.signal;
  const dispatcher = dispatchers.for(url, proxy, { ca: request.ca ?? null, insecure: request.insecure ?? false });
  const aborted = settledBy(signal);
  try {
    // Raced, not only signalled: undici does not settle a request whose proxy never answers CONNECT
    // when it is aborted, and our deadline must hold whatever the connection is doing.
    const answer = await Promise.race([exchange(url, request, dispatcher, signal), aborted.promise]);
    if (answer === 'aborted') {
      if (deadline.signal.aborted) return done(null, { kind: 'timeout', message: `no complete response within ${request.timeoutMs}ms` });
      return done(null, { kind: 'network', message: 'request cancelled' });
    }
    if ('thrown' in answer) return done(answer.status, classifyError(answer.thrown, proxy));
    return done(answer.status, answer.error, answer.body, answer.headers);
  } finally {
    clearTimeout(timer);
    aborted.release();
  }
}

type Exchange = { status: number; headers: HttpResult['headers']; body: string; error: HttpError | null } | { status: number | null; thrown: unknown };

/** One request and its body, read up to the cap; never rejects. */
async function exchange(url: URL, request: HttpRequest, dispatcher: Dispatcher, signal: AbortSignal): Promise<Exchange> {
  let status: number | null = null;
  try {
    const response = await undiciRequest(url, {
      method: request.method ?? 'GET',
      headers: { 'user-agent': 'rolloutctl', accept: '*/*', ...request.headers },
      body: request.body,
      dispatcher,
      signal,
      // Our own deadline governs; undici's per-phase timers only need to not fire first.
      headersTimeout: request.timeoutMs + 1_000,
      bodyTimeout: request.timeoutMs + 1_000,
    });
    status = response.statusCode;
    const limit = request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > limit) {
        response.body.destroy();
        const error = { kind: 'body', message: `body too large (over ${formatBytes(limit)})` } as const;
        return { status, headers: response.headers, body: Buffer.concat(chunks).toString('utf8'), error };
      }
      chunks.push(chunk);
    }
    return { status, headers: response.headers, body: Buffer.concat(chunks).toString('utf8'), error: null };
  } catch (thrown) {
    return { status, thrown };
  }
}

/**
 * Settles when `signal` aborts; `release()` takes the listener off again. A listener left on a
 * signal made by AbortSignal.any() keeps that signal (and this promise) alive as long as the
 * check's own signal lives, the whole soak: ~2.5 KB a request (test/integration/http-client-signals.test.ts).
 */
function settledBy(signal: AbortSignal): { promise: Promise<'aborted'>; release: () => void } {
  let release = () => {};
  const promise = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) return resolve('aborted');
    const onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    release = () => signal.removeEventListener('abort', onAbort);
  });
  return { promise, release };
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
