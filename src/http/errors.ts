import { proxyLabel } from './proxy.js';

/** Why a request got no usable answer. HTTP statuses are not errors here: the caller judges them. */
export type HttpErrorKind = 'timeout' | 'refused' | 'dns' | 'reset' | 'tls' | 'body' | 'network';

export interface HttpError {
  kind: HttpErrorKind;
  message: string;
}

const LABELS = { refused: 'connection refused', dns: 'DNS lookup failed', reset: 'connection reset', tls: 'TLS error', network: 'network error' } as const;

/** Names a failed request's cause the way people say it, with the system's code kept for searching. */
export function classifyError(error: unknown, proxy: string | null): HttpError {
  const result = classify(error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException });
  return proxy === null ? result : { ...result, message: `${result.message} (via proxy ${proxyLabel(proxy)})` };
}

function classify(error: NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException }): HttpError {
  // undici wraps a socket's own error ("other side closed") around the system code, when there is one.
  const code = error.cause?.code ?? error.code ?? '';
  const message = error.cause?.message ?? error.message;
  if (code === 'UND_ERR_INVALID_ARG') return { kind: 'network', message: `invalid request: ${message}` };
  if (code === 'UND_ERR_ABORTED' && /Proxy response \((\d+)\)/.test(message))
    return { kind: 'network', message: `proxy answered CONNECT with HTTP ${/Proxy response \((\d+)\)/.exec(message)?.[1]}` };
  const kind =
    code === 'ECONNREFUSED'
      ? 'refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'dns'
        : code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'ERR_STREAM_PREMATURE_CLOSE'
          ? 'reset'
          : code.startsWith('ERR_TLS') ||
              code.includes('CERT') ||
              code.startsWith('SELF_SIGNED') ||
              code === 'EPROTO' ||
              code === 'ERR_SSL_WRONG_VERSION_NUMBER'
            ? 'tls'
            : 'network';
  const label = LABELS[kind];
  const detail = kind === 'tls' || kind === 'network' ? `: ${message}` : '';
  return { kind, message: code ? `${label} (${code === 'UND_ERR_SOCKET' ? 'ECONNRESET' : code})${detail}` : `${label}: ${message}` };
}
