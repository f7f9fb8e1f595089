import { createHash } from 'node:crypto';
import { Agent, type Dispatcher, Pool, ProxyAgent } from 'undici';
import { type TlsTrust, tlsOptions } from './tls.js';

/** Connections one origin may hold at once; a soak polls each origin on a schedule, so few are used. */
const CONNECTIONS_PER_ORIGIN = 64;
const PROXY_ANSWER_MS = 30_000;

/**
 * Keep-alive connection pools, one per (proxy, TLS trust), shared by every request, so a soak reuses
 * connections instead of opening one per poll. Through a proxy, http targets go as absolute-URI
 * requests and https ones through a CONNECT tunnel, with TLS to the target inside it (the proxy never
 * sees the plaintext); undici's ProxyAgent does both and sends the proxy URL's credentials.
 */
export class Dispatchers {
  private readonly pools = new Map<string, Dispatcher>();
  /** A CA's digest by its PEM text: asked for at every request, computed once. */
  private readonly caDigests = new Map<string, string>();

  for(secure: boolean, proxy: string | null, trust: TlsTrust): Dispatcher {
    // Trust matters only for https; an http target shares one pool whatever its check says about TLS.
    const ca = secure && trust.ca !== null ? this.digest(trust.ca) : null;
    const key = `${proxy}\n${secure && trust.insecure}\n${ca}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const tls = secure ? tlsOptions(trust) : {};
      pool =
        proxy === null
          ? new Agent({ connections: CONNECTIONS_PER_ORIGIN, connect: tls })
          : new ProxyAgent({ uri: proxy, proxyTunnel: false, requestTls: tls, connections: CONNECTIONS_PER_ORIGIN, clientFactory: proxyClient });
      this.pools.set(key, pool);
    }
    return pool;
  }

  private digest(ca: string): string {
    let digest = this.caDigests.get(ca);
    if (digest === undefined) {
      digest = createHash('sha256').update(ca).digest('hex');
      this.caDigests.set(ca, digest);
    }
    return digest;
  }

  /** Ends every connection now (also half-open CONNECTs to a wedged proxy): the command is done with HTTP. */
  async destroy(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }
}

/**
 * The connection to the proxy itself. A request gives up at its own deadline, but the CONNECT it
 * started would wait for the proxy's answer for undici's default five minutes, holding a slot.
 */
function proxyClient(origin: URL, options: object): Dispatcher {
  return new Pool(origin, { ...options, headersTimeout: PROXY_ANSWER_MS, connectTimeout: PROXY_ANSWER_MS });
}
