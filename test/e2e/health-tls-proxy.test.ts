import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';
import { type HttpsServer, makeSelfSignedCertificate, startHttpsServer, type TestCertificate } from '../helpers/tls.js';

describe('health checks over TLS and through proxies', { timeout: 60_000 }, () => {
  let dir: string;
  let certificate: TestCertificate;
  let tlsServer: HttpsServer;
  let server: HealthServer;
  let proxy: TestProxy;

  beforeEach(async () => {
    dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'deploy', 'certs'), { recursive: true });
    certificate = makeSelfSignedCertificate(path.join(dir, 'deploy', 'certs'));
    tlsServer = await startHttpsServer(certificate);
    server = await startHealthServer(200);
    proxy = await startProxy();
  });
  afterEach(async () => {
    await Promise.all([tlsServer.close(), server.close(), proxy.close()]);
    await removeTempDir(dir);
  });

  /** A one-stage plan in deploy/ (so relative paths are relative to the plan, not the cwd). */
  async function planWithCheck(url: string, extra = '', soak = '0'): Promise<string> {
    return writePlan(
      path.join(dir, 'deploy'),
      `stages:
  - name: canary
    deploy: "true"
    soak: ${soak}
    health:
      - url: ${url}
        name: api
        interval: 20ms
        failureThreshold: 2${extra}
`,
    );
  }
  const run = (env: Record<string, string> = {}) => runCli(['run', '-c', 'deploy/rollout.config.yml'], { cwd: dir, env });
  const state = () => readState(defaultStatePath(path.join(dir, 'deploy')));

  describe('TLS', () => {
    it('fails a self-signed certificate by default, as a tls error', async () => {
      await planWithCheck(tlsServer.url());
      const result = await run();
      expect(result.exitCode, describeResult(result)).toBe(1);
      expect((await state()).stages[0]?.checkResults.checks[0]?.lastError).toEqual({ kind: 'tls', message: expect.stringMatching(/self[- ]signed/i) });
      expect(tlsServer.requestCount()).toBe(0);
    });

    it('trusts the certificate in the check’s ca: file, relative to the plan file', async () => {
      await planWithCheck(tlsServer.url(), '\n        ca: certs/server.crt');
      const result = await run();
      expect(result.exitCode, describeResult(result)).toBe(0);
      expect(tlsServer.requestCount()).toBeGreaterThan(0);
    });

    it('rejects a plan whose ca: file is missing, before running anything', async () => {
      await planWithCheck(tlsServer.url(), '\n        ca: certs/nope.crt');
      const result = await run();
      expect(result.exitCode, describeResult(result)).toBe(2);
      expect(result.stderr).toMatch(/stages\.0\.health\.0\.ca: cannot read CA file .*nope\.crt/);
      expect(tlsServer.requestCount()).toBe(0);
    });

    it('trusts NODE_EXTRA_CA_CERTS', async () => {
      await planWithCheck(tlsServer.url());
      const result = await run({ NODE_EXTRA_CA_CERTS: certificate.certFile });
      expect(result.exitCode, describeResult(result)).toBe(0);
    });

    it('skips verification for a check with insecure: true, and warns about it', async () => {
      await planWithCheck(tlsServer.url(), '\n        insecure: true');
      const result = await run();
      expect(result.exitCode, describeResult(result)).toBe(0);
      expect(result.stderr).toMatch(/warning: .*check api has insecure: true; its TLS certificate is not verified/);
    });
  });

  describe('proxies', () => {
    for (const name of ['HTTP_PROXY', 'http_proxy']) {
      it(`sends http checks through ${name} as absolute-URI requests`, async () => {
        await planWithCheck(server.url('/healthz'));
        const result = await run({ [name]: proxy.url });
        expect(result.exitCode, describeResult(result)).toBe(0);
        expect(proxy.forwarded).toContain(`GET ${server.url('/healthz')}`);
        expect(server.requestCount('/healthz')).toBe(proxy.forwarded.length);
      });
    }

    for (const name of ['HTTPS_PROXY', 'https_proxy']) {
      it(`tunnels https checks through ${name} with CONNECT, reusing the tunnel`, async () => {
        // 1.5s: the first poll pays for the TLS context and the proxy tunnel, hundreds of ms on a loaded box.
        await planWithCheck(tlsServer.url(), '\n        ca: certs/server.crt', '3s');
        const result = await run({ [name]: proxy.url });
        expect(result.exitCode, describeResult(result)).toBe(0);
        expect(proxy.tunnels[0]).toBe(`127.0.0.1:${tlsServer.port}`);
        // More polls than tunnels is what "reusing" means; 3 polls in 3 s holds on a loaded machine.
        expect(tlsServer.requestCount()).toBeGreaterThanOrEqual(3);
        expect(proxy.tunnels.length, 'one CONNECT per connection, not per poll').toBeLessThanOrEqual(2);
        expect(proxy.tunnels.length).toBeLessThan(tlsServer.requestCount());
        expect(proxy.forwarded).toEqual([]);
      });
    }

    it('sends proxy credentials from the proxy URL, and never prints them', async () => {
      await planWithCheck(server.url('/healthz'));
      const withAuth = proxy.url.replace('http://', 'http://deployer:pr0xy-pa55@');
      const result = await run({ HTTP_PROXY: withAuth });
      expect(result.exitCode, describeResult(result)).toBe(0);
      expect(proxy.authorizations[0]).toBe(`Basic ${Buffer.from('deployer:pr0xy-pa55').toString('base64')}`);
      expect(result.all).not.toContain('pr0xy-pa55');
    });

    for (const [name, value] of [
      ['NO_PROXY', '127.0.0.1'],
      ['no_proxy', 'example.com, 127.0.0.1'],
      ['NO_PROXY', '*'],
    ] as const) {
      it(`connects directly to hosts in ${name}=${value}`, async () => {
        await planWithCheck(server.url('/healthz'));
        const result = await run({ HTTP_PROXY: proxy.url, [name]: value });
        expect(result.exitCode, describeResult(result)).toBe(0);
        expect(server.requestCount('/healthz')).toBeGreaterThan(0);
        expect(proxy.forwarded).toEqual([]);
      });
    }

    it('times out a poll whose proxy never answers CONNECT, and still exits', async () => {
      proxy.hangConnect = true;
      await planWithCheck(tlsServer.url(), '\n        ca: certs/server.crt\n        timeout: 300ms');
      const result = await run({ HTTPS_PROXY: proxy.url });
      expect(result.timedOut, 'the CLI hung on the wedged proxy').toBe(false);
      expect(result.exitCode, describeResult(result)).toBe(1);
      expect((await state()).stages[0]?.checkResults.checks[0]?.lastError?.kind).toBe('timeout');
    });

    it('names the proxy when it cannot be reached', async () => {
      await planWithCheck(server.url('/healthz'));
      await proxy.close();
      const result = await run({ HTTP_PROXY: proxy.url });
      expect(result.exitCode, describeResult(result)).toBe(1);
      expect((await state()).stages[0]?.checkResults.checks[0]?.lastError).toEqual({
        kind: 'refused',
        message: `connection refused (ECONNREFUSED) (via proxy 127.0.0.1:${proxy.port})`,
      });
    });
  });
});
