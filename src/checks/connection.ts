import { proxyFor } from '../http/proxy.js';
import { readCaFile } from './ca-file.js';
import type { NormaliseContext, PrepareContext } from './kind.js';

/** What every kind that speaks HTTP (http checks, metric sources) settles when the plan loads. */
export interface Connection {
  ca: string | null;
  proxy: string | null;
}

/**
 * Reads the check's `ca:` file and picks the proxy for `target` from the environment, at load time,
 * so a wrong path or proxy variable is a plan error (reported on `key`), not a failing measurement.
 */
export function prepareConnection(target: string, key: string, caFile: string | null, ctx: PrepareContext): Connection {
  let ca: string | null = null;
  if (caFile !== null) {
    const file = readCaFile(caFile);
    if (file.ok) ca = file.pem;
    else ctx.problem(['ca'], file.message);
  }
  const proxy = isHttpUrl(target) ? proxyFor(target, ctx.env) : { ok: true as const, proxy: null };
  if (!proxy.ok) ctx.problem([key], proxy.message);
  return { ca, proxy: proxy.ok ? proxy.proxy : null };
}

/** Header values with `${vars.X}` / `${env.X}` filled in, each problem reported on its header. */
export function substituteHeaders(headers: Record<string, string> | undefined, ctx: NormaliseContext): Record<string, string> {
  const filled: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) filled[name] = ctx.substitute(value, ['headers', name]);
  return filled;
}

/** The warning a check with `insecure: true` gets when it really talks TLS. */
export function insecureWarnings(target: string, insecure: boolean): string[] {
  return insecure && target.startsWith('https:') ? ['has insecure: true; its TLS certificate is not verified'] : [];
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
