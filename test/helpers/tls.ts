import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/**
 * A fresh self-signed certificate made by `openssl` in `dir` (never checked in). `altNames` is the
 * subjectAltName list, e.g. `IP:127.0.0.1,DNS:localhost`.
 */
export function makeSelfSignedCertificate(dir: string, altNames = 'IP:127.0.0.1,DNS:localhost', name = 'server'): TestCertificate {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=rolloutctl test',
      '-addext',
      `subjectAltName=${altNames}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
}

export interface HttpsServer {
  port: number;
  url(path?: string): string;
  requestCount(): number;
  close(): Promise<void>;
}

/** An https health endpoint on 127.0.0.1 answering 200 with the given certificate. */
export async function startHttpsServer(certificate: TestCertificate): Promise<HttpsServer> {
  let requests = 0;
  const server = https.createServer({ cert: certificate.cert, key: certificate.key }, (_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (p = '/healthz') => `https://127.0.0.1:${port}${p}`,
    requestCount: () => requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
