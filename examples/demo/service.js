#!/usr/bin/env node
/**
 * A pretend "checkout-api" fleet for the rolloutctl demo: no dependencies, no disk, no network
 * beyond 127.0.0.1. The fleet is split into three slices, each running one version:
 *
 *   canary   5% of traffic
 *   half    45% of traffic (canary + half = 50%)
 *   full    50% of traffic (all three = 100%)
 *
 * Endpoints
 *   GET  /healthz/<slice>   200 {"slice","version","healthy":true} when the slice's version is good,
 *                           500 with healthy:false when the version string contains "broken"
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

export function isBroken(version) {
  return version.includes('broken');
}

/**
 * Start the service. Resolves once it is listening.
 * @param {{ port?: number, host?: string }} [options] port 0 (the default) picks a free port.
 * @returns {Promise<{ port: number, url: string, close(): Promise<void>, snapshot(): object }>}
 */
export async function startDemoService({ port = 0, host = '127.0.0.1' } = {}) {
  const fleet = createFleet();
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
        server.close((error) => (error ? reject(error) : resolve()));
        // Health pollers use keep-alive; don't let an idle socket hold the demo open.
        server.closeAllConnections?.();
      }),
  };
}

function createFleet() {
  const slices = new Map(SLICES.map(({ name, traffic }) => [name, { traffic, version: STABLE_VERSION, previous: null, deploys: 0 }]));

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
      return { slice: name, from, to: slice.version, changed: true };
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
    routes: ['GET /healthz/<slice>', 'GET /state', 'POST /admin/deploy {slice, version}'],
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
