import { readFileSync } from 'node:fs';
import tls from 'node:tls';

/** What a request says about trusting its server: an extra CA (PEM text), or no verification at all. */
export interface TlsTrust {
  ca: string | null;
  insecure: boolean;
}

/**
 * TLS options for a pool of connections. A `ca` adds to the trusted roots rather than replacing them
 * (Node's bundled roots plus NODE_EXTRA_CA_CERTS, which Node itself reads at start-up). The context is
 * built once: given as a `ca` list instead, every new connection would parse ~140 root certificates
 * again (hundreds of milliseconds on a busy machine, counted against the check's deadline).
 */
export function tlsOptions(trust: TlsTrust): tls.ConnectionOptions {
  if (trust.insecure) return { rejectUnauthorized: false };
  if (trust.ca === null) return {};
  return { secureContext: tls.createSecureContext({ ca: [...defaultCertificates(), trust.ca] }) };
}

function defaultCertificates(): readonly string[] {
  // Node 22.15+ can list the effective store, NODE_EXTRA_CA_CERTS included; older Node only the bundled roots.
  const list = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  if (list) return list('default');
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  let extraPem: string[] = [];
  if (extra) {
    try {
      extraPem = [readFileSync(extra, 'utf8')];
    } catch {}
  }
  return [...tls.rootCertificates, ...extraPem];
}
