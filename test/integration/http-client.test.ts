import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from '../../src/http/client.js';
import { waitersOn } from '../../src/on-abort.js';
import { unusedUrl } from '../helpers/health-server.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { type HttpsServer, makeSelfSignedCertificate, startHttpsServer, type TestCertificate } from '../helpers/tls.js';

/** A plain server with the answers a client must survive, counting the connections it accepted. */
async function startServer() {
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/reset') return req.socket.resetAndDestroy();
      if (req.url === '/hang') return;
      if (req.url === '/redirect') return res.writeHead(302, { location: '/login' }).end();
      if (req.url === '/big') return res.writeHead(200).end(Buffer.alloc(200 * 1024, 'x'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.on('connection', (_socket: Socket) => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    seen,
    connections: () => connections,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the HTTP client', { timeout: 30_000 }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let client: HttpClient;
  beforeEach(async () => {
    server = await startServer();
    client = createHttpClient({});
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('GETs a body and its status, reusing one keep-alive connection across requests', async () => {
    for (let i = 0; i < 20; i++) {
      const result = await client.request({ url: server.url('/ok'), timeoutMs: 2_000 });
      expect(result).toMatchObject({ status: 200, body: '{"ok":true}', error: null });
    }
    // undici frees a connection a tick after the body ends, so back-to-back requests may open a second one.
    expect(server.connections()).toBeLessThanOrEqual(2);
  });

  it('POSTs a body with its headers', async () => {
    const result = await client.request({
      url: server.url('/hook'),
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-token': 't' },
      body: '{"a":1}',
      timeoutMs: 2_000,
    });
    expect(result.status).toBe(200);
    expect(server.seen.at(-1)).toMatchObject({ method: 'POST', body: '{"a":1}', headers: { 'x-token': 't', 'content-type': 'application/json' } });
  });

  it('does not follow redirects', async () => {
    const result = await client.request({ url: server.url('/redirect'), timeoutMs: 2_000 });
    expect(result).toMatchObject({ status: 302, error: null });
    expect(server.seen.map((r) => r.url)).not.toContain('/login');
  });

  it('stops reading past the body cap', async () => {
    const result = await client.request({ url: server.url('/big'), timeoutMs: 2_000 });
    expect(result).toMatchObject({ status: 200, error: { kind: 'body', message: 'body too large (over 64 KiB)' } });
    const roomy = await client.request({ url: server.url('/big'), timeoutMs: 2_000, maxBodyBytes: 1024 * 1024 });
    expect(roomy.error).toBeNull();
    expect(roomy.body).toHaveLength(200 * 1024);
  });

  it.each([
    ['refused', async () => unusedUrl(), /^connection refused \(ECONNREFUSED\)$/],
    ['reset', async () => server.url('/reset'), /^connection reset \(ECONNRESET\)/],
    ['dns', async () => 'http://no-such-host.invalid/', /^DNS lookup failed \((ENOTFOUND|EAI_AGAIN)\)$/],
    ['timeout', async () => server.url('/hang'), /^no complete response within 300ms$/],
  ])('names a %s error', async (kind, url, message) => {
    const result = await client.request({ url: await url(), timeoutMs: 300 });
    expect(result.error?.kind).toBe(kind);
    expect(result.error?.message).toMatch(message);
    expect(result.status).toBeNull();
  });

  it('turns a header value that cannot be sent into an error, not a throw', async () => {
    const result = await client.request({ url: server.url('/ok'), headers: { 'x-bad': 'a\nb' }, timeoutMs: 1_000 });
    expect(result.error).toMatchObject({ kind: 'network', message: expect.stringMatching(/^invalid request: /) });
  });

  it('gives up at once when the caller cancels', async () => {
    const controller = new AbortController();
    const pending = client.request({ url: server.url('/hang'), timeoutMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const result = await pending;
    expect(result.error).toEqual({ kind: 'network', message: 'request cancelled' });
    expect(result.latencyMs).toBeLessThan(5_000);
  });

  it("leaves nothing on the caller's signal once a request is over", async () => {
    // A check's signal lives for the whole soak: a listener (or a composed signal) left on it per
    // request would keep every poll's request in memory until the soak ends. The signal has one
    // listener for every wait on it (src/on-abort.ts), however many requests were made.
    const controller = new AbortController();
    for (const path of ['/ok', '/big', '/reset', '/hang']) await client.request({ url: server.url(path), timeoutMs: 300, signal: controller.signal });
    expect(waitersOn(controller.signal)).toBe(0);
    expect(getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(1);
  });
});

describe('the HTTP client over TLS and through proxies', { timeout: 30_000 }, () => {
  let dir: string;
  let certificate: TestCertificate;
  let tlsServer: HttpsServer;
  let server: Awaited<ReturnType<typeof startServer>>;
  let proxy: TestProxy;
  let client: HttpClient;
  beforeAll(async () => {
    dir = await makeTempDir();
    certificate = makeSelfSignedCertificate(dir);
  });
  afterAll(async () => removeTempDir(dir));
  beforeEach(async () => {
    tlsServer = await startHttpsServer(certificate);
    server = await startServer();
    proxy = await startProxy();
  });
  afterEach(async () => {
    await client?.close();
    await Promise.all([tlsServer.close(), server.close(), proxy.close()]);
  });

  it('refuses a self-signed certificate, trusts it with ca:, skips verification with insecure', async () => {
    client = createHttpClient({});
    const refused = await client.request({ url: tlsServer.url(), timeoutMs: 2_000 });
    expect(refused.error).toMatchObject({ kind: 'tls', message: expect.stringMatching(/^TLS error .*self[- ]signed/i) });
    expect(await client.request({ url: tlsServer.url(), timeoutMs: 2_000, ca: certificate.cert })).toMatchObject({ status: 200, error: null });
    expect(await client.request({ url: tlsServer.url(), timeoutMs: 2_000, insecure: true })).toMatchObject({ status: 200, error: null });
    expect(tlsServer.requestCount()).toBe(2);
  });

  for (const name of ['HTTP_PROXY', 'http_proxy']) {
    it(`sends http requests through ${name} as absolute-URI requests, with its credentials`, async () => {
      client = createHttpClient({ [name]: proxy.url.replace('http://', 'http://deployer:pr0xy-pa55@') });
      const result = await client.request({ url: server.url('/ok'), timeoutMs: 2_000 });
      expect(result).toMatchObject({ status: 200, error: null });
      expect(proxy.forwarded).toEqual([`GET ${server.url('/ok')}`]);
      expect(proxy.authorizations[0]).toBe(`Basic ${Buffer.from('deployer:pr0xy-pa55').toString('base64')}`);
    });
  }

  it('prefers the lower-case variable, as curl does', async () => {
    client = createHttpClient({ HTTP_PROXY: 'http://127.0.0.1:1', http_proxy: proxy.url });
    expect((await client.request({ url: server.url('/ok'), timeoutMs: 2_000 })).status).toBe(200);
    expect(proxy.forwarded).toHaveLength(1);
  });

  it('tunnels https through HTTPS_PROXY with CONNECT, one tunnel for many requests', async () => {
    client = createHttpClient({ HTTPS_PROXY: proxy.url });
    for (let i = 0; i < 10; i++) expect(await client.request({ url: tlsServer.url(), timeoutMs: 2_000, ca: certificate.cert })).toMatchObject({ status: 200 });
    expect(new Set(proxy.tunnels)).toEqual(new Set([`127.0.0.1:${tlsServer.port}`]));
    expect(proxy.tunnels.length).toBeLessThanOrEqual(2);
    expect(proxy.forwarded).toEqual([]);
  });

  it.each(['127.0.0.1', 'example.com, 127.0.0.1', '*'])('connects directly to hosts in NO_PROXY=%s', async (noProxy) => {
    client = createHttpClient({ HTTP_PROXY: proxy.url, NO_PROXY: noProxy });
    expect((await client.request({ url: server.url('/ok'), timeoutMs: 2_000 })).status).toBe(200);
    expect(proxy.forwarded).toEqual([]);
  });

  it('names the proxy when it cannot be reached', async () => {
    client = createHttpClient({ HTTP_PROXY: proxy.url });
    await proxy.close();
    const result = await client.request({ url: server.url('/ok'), timeoutMs: 2_000 });
    expect(result.error).toEqual({ kind: 'refused', message: `connection refused (ECONNREFUSED) (via proxy 127.0.0.1:${proxy.port})` });
  });

  it('times out a request whose proxy never answers CONNECT', async () => {
    proxy.hangConnect = true;
    client = createHttpClient({ HTTPS_PROXY: proxy.url });
    const result = await client.request({ url: tlsServer.url(), timeoutMs: 300, ca: certificate.cert });
    expect(result.error).toEqual({ kind: 'timeout', message: 'no complete response within 300ms' });
  });

  it('reports a proxy variable it cannot use as an error of the request', async () => {
    client = createHttpClient({ HTTPS_PROXY: 'https://proxy:443' });
    const result = await client.request({ url: tlsServer.url(), timeoutMs: 300 });
    expect(result.error).toMatchObject({ kind: 'network', message: expect.stringMatching(/only http:\/\/ proxies/) });
  });
});
