import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE, startCli, toCliResult } from '../helpers/cli.js';
import { unusedUrl } from '../helpers/health-server.js';
import { residentBytes, tcpConnectionsTo } from '../helpers/sockets.js';
import { defaultStatePath, readState, type StateDocument } from '../helpers/state.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';
import { makeSelfSignedCertificate, startHttpsServer } from '../helpers/tls.js';

/** A health endpoint with hostile answers, counting connections and the bytes it managed to send. */
interface HostileServer {
  port: number;
  url(path: string): string;
  requests: string[];
  connections: number;
  open: number;
  bytesSent: Record<string, number>;
  /** For /count: answer 200 until this many requests were seen, then 500. */
  healthyFor: number;
  close(): Promise<void>;
}

async function startHostileServer(): Promise<HostileServer> {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const state: HostileServer = {
    port: 0,
    url: (path) => `http://127.0.0.1:${state.port}${path}`,
    requests: [],
    connections: 0,
    open: 0,
    bytesSent: {},
    healthyFor: Number.POSITIVE_INFINITY,
    close: async () => undefined,
  };
  const stream = (res: http.ServerResponse, key: string, total: number) => {
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        state.bytesSent[key] = (state.bytesSent[key] ?? 0) + chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  };
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    state.requests.push(path);
    if (path === '/huge') {
      res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
      stream(res, path, 50 * 1024 * 1024);
    } else if (path === '/endless') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked, never ends
      stream(res, path, Number.POSITIVE_INFINITY);
    } else if (path === '/redirect') {
      res.writeHead(302, { location: '/login' }).end();
    } else if (path === '/reset') {
      req.socket.resetAndDestroy();
    } else if (path === '/hang') {
      // never answers
    } else if (path === '/count') {
      const seen = state.requests.filter((p) => p === '/count').length;
      res.writeHead(seen <= state.healthyFor ? 200 : 500).end('ok');
    } else if (path === '/headers') {
      res.writeHead(req.headers['x-token'] === 'from-the-env' ? 200 : 401).end();
    } else {
      res.writeHead(path === '/unhealthy' ? 503 : 200).end('ok');
    }
  });
  server.on('connection', (socket: net.Socket) => {
    state.connections++;
    state.open++;
    socket.on('close', () => state.open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

function checkNamed(state: StateDocument, name: string) {
  const check = state.stages.flatMap((s) => s.checkResults.checks).find((c) => c.name === name);
  if (!check) throw new Error(`no check ${name} in state: ${JSON.stringify(state.stages.map((s) => s.checkResults))}`);
  return check;
}

describe('health checks that do not lie', { timeout: 60_000 }, () => {
  let dir: string;
  let server: HostileServer;

  beforeEach(async () => {
    dir = await makeTempDir();
    server = await startHostileServer();
  });
  afterEach(async () => {
    await server.close();
    await removeTempDir(dir);
  });

  it('fails a poll on a huge or endless body with "body too large", without reading it all', async () => {
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: "true"
    soak: 10s
    health:
      - { name: huge, url: "${server.url('/huge')}", interval: 50ms, timeout: 5s, failureThreshold: 3 }
      - { name: endless, url: "${server.url('/endless')}", interval: 50ms, timeout: 5s, failureThreshold: 3 }
`,
    );
    const run = startCli(['run'], { cwd: dir });
    let peakRss = 0;
    const sampler = setInterval(() => {
      if (run.pid !== undefined) peakRss = Math.max(peakRss, residentBytes(run.pid));
    }, 20);
    const result = toCliResult(await run);
    clearInterval(sampler);

    expect(result.exitCode, describeResult(result)).toBe(1);
    const state = await readState(defaultStatePath(dir));
    for (const name of ['huge', 'endless']) {
      expect(checkNamed(state, name).lastError).toEqual({ kind: 'body', message: expect.stringMatching(/^body too large/) });
    }
    expect(state.failure?.reason).toMatch(/body too large/);
    expect(result.stderr).toMatch(/✗ (huge|endless): body too large/);
    // Each poll stops reading after 64 KiB: the server could push only what fits in socket buffers,
    // not the 50 MiB (or endless stream) it offered for every poll.
    const polls = state.stages[0]?.checkResults.polls ?? 0;
    expect(server.bytesSent['/huge'] ?? 0).toBeLessThan(Math.max(polls, 1) * 8 * 1024 * 1024);
    expect(server.bytesSent['/endless'] ?? 0).toBeLessThan(Math.max(polls, 1) * 8 * 1024 * 1024);
    expect(peakRss, 'peak resident memory of the CLI').toBeLessThan(200 * 1024 * 1024);
  });

  it('does not follow a redirect: a 302 fails unless expectStatus lists it', async () => {
    const plan = (expect: string) => `stages:
  - name: canary
    deploy: "true"
    soak: 0
    health:
      - url: ${server.url('/redirect')}
        name: login-wall
        interval: 50ms
        failureThreshold: 2${expect}
`;
    await writePlan(dir, plan(''));
    const failing = await runCli(['run'], { cwd: dir });
    expect(failing.exitCode, describeResult(failing)).toBe(1);
    const state = await readState(defaultStatePath(dir));
    expect(checkNamed(state, 'login-wall').lastError).toEqual({ kind: 'status', message: 'HTTP 302 (expected 2xx)' });
    expect(checkNamed(state, 'login-wall').lastStatus).toBe(302);
    expect(server.requests).not.toContain('/login');

    await writePlan(dir, plan('\n        expectStatus: [200, 302]'));
    const passing = await runCli(['run'], { cwd: dir });
    expect(passing.exitCode, describeResult(passing)).toBe(0);
    expect(server.requests).not.toContain('/login');
  });

  it('records each connection error with its kind and message, distinct from an unexpected status', async () => {
    const certificate = makeSelfSignedCertificate(dir);
    const tlsServer = await startHttpsServer(certificate);
    try {
      // "hung" is the only check that can reach its threshold soon; the others keep polling meanwhile.
      await writePlan(
        dir,
        `defaults:
  health: { interval: 50ms, failureThreshold: 100000, timeout: 5s }
stages:
  - name: canary
    deploy: "true"
    soak: 30s
    health:
      - { name: refused, url: "${await unusedUrl()}" }
      - { name: reset, url: "${server.url('/reset')}" }
      - { name: dns, url: "http://no-such-host.invalid/healthz" }
      - { name: tls, url: "${tlsServer.url()}" }
      - { name: status, url: "${server.url('/unhealthy')}" }
      - { name: hung, url: "${server.url('/hang')}", timeout: 400ms, failureThreshold: 2 }
`,
      );
      const result = await runCli(['run'], { cwd: dir });

      expect(result.exitCode, describeResult(result)).toBe(1);
      const state = await readState(defaultStatePath(dir));
      const expected: Record<string, [string, RegExp]> = {
        refused: ['refused', /^connection refused \(ECONNREFUSED\)/],
        reset: ['reset', /^connection reset \(ECONNRESET\)/],
        dns: ['dns', /^DNS lookup failed \((ENOTFOUND|EAI_AGAIN)\)/],
        tls: ['tls', /^TLS error .*self[- ]signed/i],
        status: ['status', /^HTTP 503 \(expected 2xx\)(: .+)?$/],
        hung: ['timeout', /^no complete response within 400ms$/],
      };
      for (const [name, [kind, message]] of Object.entries(expected)) {
        const check = checkNamed(state, name);
        expect(check.lastError?.kind, `${name}: ${JSON.stringify(check)}`).toBe(kind);
        expect(check.lastError?.message).toMatch(message);
        expect(check.lastStatus).toBe(name === 'status' ? 503 : null);
        expect(result.stderr).toContain(`✗ ${name}: ${check.lastError?.message}`);
      }
      expect(state.failure?.reason).toMatch(/hung failed 2 times in a row: no complete response/);
      expect(result.all).not.toMatch(STACK_TRACE);
    } finally {
      await tlsServer.close();
    }
  });

  it('reuses connections across 1,000 polls, holds few sockets, and closes them all at exit', async () => {
    server.healthyFor = 1000; // then 500: with failureThreshold 1 the run ends right after poll 1,001
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: "true"
    soak: 5m
    health:
      - url: ${server.url('/count')}
        interval: 1ms
        failureThreshold: 1
`,
    );
    const run = startCli(['run'], { cwd: dir, timeout: 50_000 });
    let peakSockets = 0;
    let samples = 0;
    const sampler = setInterval(() => {
      if (run.pid === undefined) return;
      peakSockets = Math.max(peakSockets, tcpConnectionsTo(run.pid, server.port));
      samples++;
    }, 10);
    const result = toCliResult(await run);
    clearInterval(sampler);

    expect(result.exitCode, describeResult(result)).toBe(1);
    const state = await readState(defaultStatePath(dir));
    expect(state.stages[0]?.checkResults.polls).toBe(1001);
    expect(samples).toBeGreaterThan(0);
    expect(server.connections, 'connections opened for 1,001 polls').toBeLessThanOrEqual(5);
    expect(peakSockets, 'sockets the CLI held to the server at once').toBeLessThanOrEqual(2);
    expect(peakSockets, 'the /proc probe never saw the keep-alive connection').toBeGreaterThanOrEqual(1);
    // The CLI has exited; the server must see every connection closed (no half-open leftovers).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.open).toBe(0);
  });

  it('sends headers whose values come from ${env.NAME}', async () => {
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: "true"
    soak: 0
    health:
      - url: ${server.url('/headers')}
        interval: 50ms
        failureThreshold: 2
        headers:
          X-Token: \${env.ROLLOUT_TEST_HEADER}
`,
    );
    const result = await runCli(['run'], { cwd: dir, env: { ROLLOUT_TEST_HEADER: 'from-the-env' } });
    expect(result.exitCode, describeResult(result)).toBe(0);
    const wrong = await runCli(['run'], { cwd: dir, env: { ROLLOUT_TEST_HEADER: 'something-else' } });
    expect(wrong.exitCode, describeResult(wrong)).toBe(1);
  });
});
