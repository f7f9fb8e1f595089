import { isIP } from 'node:net';

type Env = Readonly<Record<string, string | undefined>>;

export type ProxyChoice = { ok: true; proxy: string | null } | { ok: false; message: string };

/**
 * The proxy for a URL, from `http_proxy`/`HTTP_PROXY` (http URLs) or `https_proxy`/`HTTPS_PROXY`
 * (https URLs), unless `no_proxy`/`NO_PROXY` exempts its host. Lower case wins, as in curl.
 * Only http:// proxies are supported (https goes through them with CONNECT).
 */
export function proxyFor(target: string, env: Env): ProxyChoice {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: true, proxy: null };
  }
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const name = [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`].find((n) => nonEmpty(env[n]));
  if (name === undefined) return { ok: true, proxy: null };
  if (bypasses(url, nonEmpty(env.no_proxy) ? env.no_proxy : env.NO_PROXY)) return { ok: true, proxy: null };
  const value = env[name] as string;
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    return { ok: false, message: `${name} is not a valid proxy URL` };
  }
  if (proxy.protocol !== 'http:') return { ok: false, message: `${name}: only http:// proxies are supported (got ${proxy.protocol}//)` };
  return { ok: true, proxy: proxy.href };
}

/** NO_PROXY: comma- or space-separated hosts; `*` for all; `example.com` and `.example.com` also cover subdomains; `host:port` only that port. */
export function bypasses(url: URL, noProxy: string | undefined): boolean {
  if (!nonEmpty(noProxy)) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort: string | null = null;
    const portMatch = /^(.*[^:]):(\d+)$/.exec(entry);
    if (portMatch && !(isIP(entry) === 6)) {
      entry = portMatch[1] as string;
      entryPort = portMatch[2] as string;
    }
    entry = entry.replace(/^\[|\]$/g, '');
    if (entryPort !== null && entryPort !== port) continue;
    if (isIP(entry) !== 0 || isIP(host) !== 0) {
      if (entry === host) return true;
      continue;
    }
    const domain = entry.replace(/^\*?\./, '');
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** `host:port` of a proxy URL, for messages (never its credentials). */
export function proxyLabel(proxy: string): string {
  const url = new URL(proxy);
  return `${url.hostname}:${url.port || '80'}`;
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}
