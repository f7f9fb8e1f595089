import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { type AbortWaiter, stopWaiting, waitForAbort } from '../on-abort.js';
import { Dispatchers } from './dispatchers.js';
import { classifyError, type HttpError } from './errors.js';
import { type ProxyChoice, proxyFor } from './proxy.js';

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
  const targets = new Targets(env);
  return {
    request: (request) => send(request, dispatchers, targets),
    close: () => dispatchers.destroy(),
  };
}

/** Where a URL goes: parsed once per URL, not once per request (a soak asks for the same URLs every second). */
type Target = { ok: true; origin: string; path: string; secure: boolean; envProxy: ProxyChoice } | { ok: false; message: string };
/** Distinct URLs (and origins) remembered; past this the memo starts again (query URLs with a time in them never repeat). */
const TARGETS_KEPT = 1024;

/** URLs as requests need them, remembered; the proxy from the environment remembered by origin, which is all it depends on. */
class Targets {
  private readonly byUrl = new Map<string, Target>();
  private readonly proxies = new Map<string, ProxyChoice>();

  constructor(private readonly env: Env) {}

  of(raw: string): Target {
    let target = this.byUrl.get(raw);
    if (target !== undefined) return target;
    target = this.parse(raw);
    if (this.byUrl.size >= TARGETS_KEPT) this.byUrl.clear();
    this.byUrl.set(raw, target);
    return target;
  }

  private parse(raw: string): Target {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, message: 'invalid request: not a valid URL' };
    }
    // As undici's own request() says it.
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { ok: false, message: 'invalid request: Invalid URL protocol: the URL must start with `http:` or `https:`.' };
    const origin = url.origin;
    let envProxy = this.proxies.get(origin);
    if (envProxy === undefined) {
      envProxy = proxyFor(origin, this.env);
      if (this.proxies.size >= TARGETS_KEPT) this.proxies.clear();
      this.proxies.set(origin, envProxy);
    }
    return { ok: true, origin, path: url.search ? `${url.pathname}${url.search}` : url.pathname, secure: url.protocol === 'https:', envProxy };
  }
}

function send(request: HttpRequest, dispatchers: Dispatchers, targets: Targets): Promise<HttpResult> {
  const started = performance.now();
  const target = targets.of(request.url);
  let proxy = request.proxy;
  if (target.ok && proxy === undefined) {
    if (!target.envProxy.ok) return Promise.resolve(failed(started, target.envProxy.message));
    proxy = target.envProxy.proxy;
  }
  if (!target.ok) return Promise.resolve(failed(started, target.message));
  const dispatcher = dispatchers.for(target.secure, proxy ?? null, { ca: request.ca ?? null, insecure: request.insecure ?? false });
  return new Promise((resolve) => {
    const exchange = new Exchange(request, proxy ?? null, started, resolve);
    if (exchange.settled) return;
    dispatcher.dispatch(
      {
        origin: target.origin,
        path: target.path,
        method: request.method ?? 'GET',
        // A new object each time: undici's ProxyAgent adds the target's `host` to it.
        headers: { 'user-agent': 'rolloutctl', accept: '*/*', ...request.headers },
        body: request.body,
        // Our own deadline governs; undici's per-phase timers only need to not fire first.
        headersTimeout: request.timeoutMs + 1_000,
        bodyTimeout: request.timeoutMs + 1_000,
      },
      exchange,
    );
  });
}

function failed(started: number, message: string): HttpResult {
  return { status: null, headers: {}, body: '', latencyMs: latencySince(started), error: { kind: 'network', message } };
}

function latencySince(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/**
 * One request, as undici's dispatcher drives it: status, headers, the body read up to the cap, and
 * our deadline and the caller's cancel, whichever settles first. Not undici's `request()`: that
 * wraps every response in a Readable stream and needs an AbortSignal per request, which cost a
 * soak of a thousand checks more than everything else a poll does (one object here, no stream, no
 * per-request signal, no listener on the caller's signal: one waiter in src/on-abort.ts).
 * A deadline or cancel settles at once even when undici has not called back yet (a proxy that
 * never answers CONNECT): the request is aborted as soon as undici hands us its controller.
 */
class Exchange implements Dispatcher.DispatchHandler, AbortWaiter {
  settled = false;
  private status: number | null = null;
  private headers: HttpResult['headers'] = {};
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private controller: Dispatcher.DispatchController | null = null;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly request: HttpRequest,
    private readonly proxy: string | null,
    private readonly started: number,
    private readonly resolve: (result: HttpResult) => void,
  ) {
    if (request.signal?.aborted) {
      this.settle(null, { kind: 'network', message: 'request cancelled' });
      return;
    }
    this.timer = setTimeout(onDeadline, request.timeoutMs, this);
    if (request.signal) waitForAbort(request.signal, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.settled) controller.abort(new Error('request cancelled'));
    else this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: HttpResult['headers']): void {
    if (statusCode < 200) return; // 1xx: the real answer follows
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.received += chunk.length;
    const limit = this.request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (this.received <= limit) {
      this.chunks.push(chunk);
      return;
    }
    this.settle(this.status, { kind: 'body', message: `body too large (over ${formatBytes(limit)})` }, true);
    this.stop();
  }

  onResponseEnd(): void {
    this.settle(this.status, null, true);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.settle(this.status, classifyError(error, this.proxy));
  }

  /** The caller cancelled. */
  onAbort(): void {
    this.settle(null, { kind: 'network', message: 'request cancelled' });
    this.stop();
  }

  timedOut(): void {
    this.settle(null, { kind: 'timeout', message: `no complete response within ${this.request.timeoutMs}ms` });
    this.stop();
  }

  private stop(): void {
    const controller = this.controller;
    this.controller = null;
    if (controller && !controller.aborted) controller.abort(new Error('request cancelled'));
  }

  /** `withBody`: an answer (complete, or cut at the cap), with its headers and the body read. */
  private settle(status: number | null, error: HttpError | null, withBody = false): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    if (this.request.signal) stopWaiting(this.request.signal, this);
    const body = !withBody ? '' : this.chunks.length === 1 ? (this.chunks[0] as Buffer).toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    this.resolve({ status, headers: withBody ? this.headers : {}, body, latencyMs: latencySince(this.started), error });
  }
}

function onDeadline(exchange: Exchange): void {
  exchange.timedOut();
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
