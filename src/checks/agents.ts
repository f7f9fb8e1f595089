import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { tlsOptions } from '../http/tls.js';
import type { HttpCheck } from '../plan/types.js';

/**
 * Keep-alive agents shared by every poll, one per (scheme, proxy, TLS settings), so a soak reuses
 * connections instead of opening one per poll. `closeAgents` ends them all at exit.
 */
const agents = new Map<string, http.Agent>();
const KEEP_ALIVE = { keepAlive: true, maxSockets: 64 } as const;

export type Target = Pick<HttpCheck, 'ca' | 'insecure' | 'proxy'>;

export function agentFor(url: URL, check: Target): http.Agent {
  const secure = url.protocol === 'https:';
  const ca = check.ca === null ? null : createHash('sha256').update(check.ca).digest('hex');
  const key = JSON.stringify([secure, check.proxy, secure ? check.insecure : false, secure ? ca : null]);
  let agent = agents.get(key);
  if (!agent) {
    if (!secure) agent = new http.Agent(KEEP_ALIVE);
    else if (check.proxy === null) agent = new https.Agent({ ...KEEP_ALIVE, ...tlsOptions(check) });
    else agent = new TunnelAgent(new URL(check.proxy), { ...KEEP_ALIVE, ...tlsOptions(check) });
    agents.set(key, agent);
  }
  return agent;
}

export function closeAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/** `Proxy-Authorization` for a proxy URL with credentials. */
export function proxyAuthorization(proxy: URL): Record<string, string> {
  if (proxy.username === '' && proxy.password === '') return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

type Callback = (error: Error | null, socket?: Duplex) => void;

/**
 * https through an HTTP proxy: a CONNECT tunnel per connection, then TLS to the target inside it
 * (the proxy never sees the plaintext). Tunnels are pooled like any keep-alive connection.
 */
class TunnelAgent extends https.Agent {
  /** CONNECTs still waiting for the proxy: a proxy that never answers must not keep the process alive. */
  private readonly pending = new Set<http.ClientRequest>();

  constructor(
    private readonly proxy: URL,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: tls.ConnectionOptions & { host?: string; port?: number; timeout?: number }, callback: Callback): undefined {
    const authority = `${options.host ?? 'localhost'}:${options.port ?? 443}`;
    const connect = http.request({
      host: this.proxy.hostname,
      port: Number(this.proxy.port || 80),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...proxyAuthorization(this.proxy) },
      agent: false,
    });
    this.pending.add(connect);
    // The poll gives up at its deadline; the CONNECT must not outlive it by much.
    if (options.timeout)
      connect.setTimeout(options.timeout, () => connect.destroy(Object.assign(new Error('proxy did not answer CONNECT'), { code: 'ETIMEDOUT' })));
    connect.once('close', () => this.pending.delete(connect));
    connect.once('connect', (response, socket) => {
      this.pending.delete(connect);
      if (response.statusCode !== 200) {
        socket.destroy();
        callback(Object.assign(new Error(`proxy answered CONNECT with HTTP ${response.statusCode}`), { code: 'EPROXY' }));
        return;
      }
      const secure = tls.connect({ ...options, socket });
      callback(null, secure);
    });
    connect.once('error', (error) => callback(error));
    connect.end();
    return undefined;
  }

  override destroy(): void {
    for (const connect of this.pending) connect.destroy();
    this.pending.clear();
    super.destroy();
  }
}
