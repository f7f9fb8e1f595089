#!/usr/bin/env node
/**
 * A pretend "checkout-api" fleet for the rolloutctl demo: no dependencies, no disk, no network
 * beyond 127.0.0.1. The fleet is split into three slices, each running one version:
 *
 *   canary   5% of traffic
 *   half    45% of traffic (canary + half = 50%)
 *   full    50% of traffic (all three = 100%)
 *
 * The fleet serves simulated traffic: 2,000 requests a second, shared by the slices' traffic
 * weights and counted per version. A version containing "flaky" fails 3 % of its requests while
 * its health endpoint keeps answering 200 — the regression a health check cannot see.
 *
 * Endpoints
 *   GET  /healthz/<slice>   200 {"slice","version","healthy":true} when the slice's version is good,
 *                           500 with healthy:false when the version string contains "broken"
 *   GET  /stats/<slice>     the slice's requests, errors and errorRate over the last 2 seconds
 *   GET  /metrics           requests by version and status code, in Prometheus's text format
 *   GET  /state             every slice's version, plus the fleet's traffic by version
 *   POST /admin/deploy      {"slice":"canary","version":"v2.4.0"} (JSON body or query parameters);
 *                           version "stable" means v2.3.0, "previous" undoes the slice's last deploy
 *
 * Use it from code with `startDemoService()`, or run `node examples/demo/service.js [--port N]`.
 */
import { realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

export const STABLE_VERSION = 'v2.3.0';

/** Slices in rollout order, with the share of traffic each one serves. */
export const SLICES = [
  { name: 'canary', traffic: 5 },
  { name: 'half', traffic: 45 },
  { name: 'full', traffic: 50 },
];

const MAX_BODY_BYTES = 16 * 1024;

export const FLAKY_ERROR_RATE = 0.03;
const FLEET_RPS = 2_000;
const TICK_MS = 100;
/** Ticks in the window /stats reports over: 2 s, long enough for a 5 % slice to show 3 %. */
const WINDOW_TICKS = 20;

export function isBroken(version) {
  return version.includes('broken');
}

export function isFlaky(version) {
  return version.includes('flaky');
}

/**
 * Start the service. Resolves once it is listening.
 * @param {{ port?: number, host?: string }} [options] port 0 (the default) picks a free port.
 * @returns {Promise<{ port: number, url: string, close(): Promise<void>, snapshot(): object }>}
 */
export async function startDemoService({ port = 0, host = '127.0.0.1' } = {}) {
  const fleet = createFleet();
  const traffic = setInterval(() => fleet.serve(TICK_MS / 1000), TICK_MS);
  traffic.unref();
  const server = createServer((request, response) => {
    handle(fleet, request, response).catch((error) => {
      send(response, 500, { error: `demo service bug: ${error.message}` });
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address();
  return {
    port: address.port,
    url: `http://${host}:${address.port}`,
    snapshot: () => fleet.snapshot(),
    close: () =>
      new Promise((resolve, reject) => {
        clearInterval(traffic);
        server.close((error) => (error ? reject(error) : resolve()));
        // Health pollers use keep-alive; don't let an idle socket hold the demo open.
        server.closeAllConnections?.();
      }),
  };
}

function createFleet() {
  const slices = new Map(SLICES.map(({ name, traffic }) => [name, { traffic, version: STABLE_VERSION, previous: null, deploys: 0, ...freshWindow() }]));
  /** Requests served since start, by version and status code: what /metrics exports. */
  const totals = new Map();

  return {
    has: (name) => slices.has(name),
    get: (name) => slices.get(name),

    /** Point a slice at a version; returns what changed. */
    deploy(name, requested) {
      const slice = slices.get(name);
      const from = slice.version;
      if (requested === 'previous') {
        // Undo once: a second undo has nothing left to restore, so it changes nothing.
        if (slice.previous === null) return { slice: name, from, to: from, changed: false };
        slice.version = slice.previous;
        slice.previous = null;
      } else {
        const to = requested === 'stable' ? STABLE_VERSION : requested;
        if (to === from) return { slice: name, from, to, changed: false };
        slice.previous = from;
        slice.version = to;
      }
      slice.deploys += 1;
      // The window describes the version now running, not the one before it.
      Object.assign(slice, freshWindow());
      return { slice: name, from, to: slice.version, changed: true };
    },

    /** One tick of simulated traffic: each slice's share of requests, 3 % of them failing on a flaky version (no dice: an exact share). */
    serve(seconds) {
      for (const slice of slices.values()) {
        slice.carry.requests += (FLEET_RPS * seconds * slice.traffic) / 100;
        const requests = Math.floor(slice.carry.requests);
        slice.carry.requests -= requests;
        slice.carry.errors += isFlaky(slice.version) ? requests * FLAKY_ERROR_RATE : 0;
        const errors = Math.min(requests, Math.floor(slice.carry.errors));
        slice.carry.errors -= errors;
        slice.window.push({ requests, errors });
        if (slice.window.length > WINDOW_TICKS) slice.window.shift();
        const counts = totals.get(slice.version) ?? { 200: 0, 500: 0 };
        counts[200] += requests - errors;
        counts[500] += errors;
        totals.set(slice.version, counts);
      }
    },

    stats(name) {
      const slice = slices.get(name);
      const requests = slice.window.reduce((sum, tick) => sum + tick.requests, 0);
      const errors = slice.window.reduce((sum, tick) => sum + tick.errors, 0);
      return {
        slice: name,
        version: slice.version,
        windowSeconds: (slice.window.length * TICK_MS) / 1000,
        requests,
        errors,
        errorRate: requests === 0 ? null : errors / requests,
      };
    },

    metrics() {
      const lines = ['# HELP demo_requests_total Requests served, by version and status code.', '# TYPE demo_requests_total counter'];
      for (const [version, counts] of totals) {
        for (const [code, count] of Object.entries(counts)) lines.push(`demo_requests_total{version=${JSON.stringify(version)},code="${code}"} ${count}`);
      }
      return `${lines.join('\n')}\n`;
    },

    snapshot() {
      const out = { stable: STABLE_VERSION, slices: {}, traffic: {} };
      for (const [name, slice] of slices) {
        out.slices[name] = {
          version: slice.version,
          previous: slice.previous,
          traffic: slice.traffic,
          deploys: slice.deploys,
        };
        out.traffic[slice.version] = (out.traffic[slice.version] ?? 0) + slice.traffic;
      }
      return out;
    },
  };
}

async function handle(fleet, request, response) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';

  if (request.method === 'GET' && path.startsWith('/healthz/')) {
    const name = decodeURIComponent(path.slice('/healthz/'.length));
    if (!fleet.has(name)) return send(response, 404, { error: `unknown slice "${name}"`, slices: sliceNames() });
    const { version } = fleet.get(name);
    if (isBroken(version)) {
      return send(response, 500, { slice: name, version, healthy: false, error: 'checkout requests failing' });
    }
    return send(response, 200, { slice: name, version, healthy: true });
  }

  if (request.method === 'GET' && path.startsWith('/stats/')) {
    const name = decodeURIComponent(path.slice('/stats/'.length));
    if (!fleet.has(name)) return send(response, 404, { error: `unknown slice "${name}"`, slices: sliceNames() });
    return send(response, 200, fleet.stats(name));
  }

  if (request.method === 'GET' && path === '/metrics') {
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'cache-control': 'no-store' });
    return response.end(fleet.metrics());
  }

  if (request.method === 'GET' && (path === '/state' || path === '/')) {
    return send(response, 200, fleet.snapshot());
  }

  if (path === '/admin/deploy') {
    if (request.method !== 'POST') return send(response, 405, { error: 'use POST' }, { allow: 'POST' });
    const input = await readInput(request, url);
    if (typeof input === 'string') return send(response, 400, { error: input });
    const { slice, version } = input;
    if (typeof slice !== 'string' || !fleet.has(slice)) {
      return send(response, 400, { error: `"slice" must be one of ${sliceNames().join(', ')}` });
    }
    if (typeof version !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(version)) {
      return send(response, 400, { error: '"version" must be a version like v2.4.0, "stable" or "previous"' });
    }
    const result = fleet.deploy(slice, version);
    const state = fleet.snapshot();
    return send(response, 200, { ...result, traffic: fleet.get(slice).traffic, fleet: state.traffic });
  }

  return send(response, 404, {
    error: `no route for ${request.method} ${path}`,
    routes: ['GET /healthz/<slice>', 'GET /stats/<slice>', 'GET /metrics', 'GET /state', 'POST /admin/deploy {slice, version}'],
  });
}

/** The request's `{slice, version}`: a JSON body wins over query parameters. A string is an error. */
async function readInput(request, url) {
  const input = {
    slice: url.searchParams.get('slice') ?? undefined,
    version: url.searchParams.get('version') ?? undefined,
  };
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return 'request body too large';
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return input;
  try {
    const body = JSON.parse(text);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'body must be a JSON object';
    return { ...input, ...body };
  } catch {
    return 'body is not valid JSON';
  }
}

function freshWindow() {
  return { window: [], carry: { requests: 0, errors: 0 } };
}

function sliceNames() {
  return SLICES.map((slice) => slice.name);
}

function send(response, status, body, headers = {}) {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

function isMainModule() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

async function main(argv) {
  const portFlag = argv.indexOf('--port');
  const portText = portFlag === -1 ? (process.env.PORT ?? '0') : argv[portFlag + 1];
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`service.js: --port must be a number from 0 to 65535, got "${portText}"\n`);
    process.exitCode = 2;
    return;
  }

  const service = await startDemoService({ port });
  process.stdout.write(
    [
      `demo service listening on ${service.url}`,
      `  fleet state:  curl ${service.url}/state`,
      `  health:       curl -i ${service.url}/healthz/canary`,
      `  error rate:   curl ${service.url}/stats/canary`,
      `  deploy:       ROLLOUT_VAR_PORT=${service.port} node examples/demo/deploy.js canary v2.5.0-broken`,
      `  roll out:     npm run build && node bin/rollout.js run --config rollout.config.example.yml --var port=${service.port}`,
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );

  const stop = () => {
    service.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (isMainModule()) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`service.js: ${error.message}\n`);
    process.exitCode = 1;
  });
}
