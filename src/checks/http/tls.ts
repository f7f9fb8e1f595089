import { readFileSync } from 'node:fs';
import tls from 'node:tls';

export type CaFile = { ok: true; pem: string } | { ok: false; message: string };

/** Reads a check's `ca:` file when the plan is loaded, so a wrong path is a plan error (exit 2), not a failing poll. */
export function readCaFile(path: string): CaFile {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, message: `cannot read CA file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return { ok: false, message: `CA file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` };
  return { ok: true, pem };
}

/**
 * TLS options for a check. A check's `ca` adds to the trusted roots rather than replacing them
 * (Node's bundled roots plus NODE_EXTRA_CA_CERTS, which Node itself reads at start-up).
 */
export function tlsOptions(check: { ca: string | null; insecure: boolean }): tls.ConnectionOptions {
  if (check.insecure) return { rejectUnauthorized: false };
  if (check.ca === null) return {};
  return { ca: [...defaultCertificates(), check.ca] };
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
