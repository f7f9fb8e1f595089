#!/usr/bin/env node
/**
 * A pretend fleet for examples/fleet: one small HTTP service per "host", each on its own loopback
 * port, each with its own version and its own faults. No dependencies, no disk, nothing beyond
 * 127.0.0.1. One process serves every host (cheap), but no host shares anything with another: each
 * can be broken, made stale or redeployed on its own, and answers only for itself.
 *
 * A host's endpoints (on its own port)
 *   GET  /healthz   200 {"name","version"}; 503 when the host is broken, or runs a version
 *                   containing "broken"
 *   GET  /version   the version it runs, as text (what version-of.js prints)
 *   GET  /state     {"name","version","previous","deploys","broken","stale"}
 *   POST /deploy    ?version=v2.0.0 switches the version; `previous` undoes the last switch (once).
 *                   A stale host answers as if it switched but keeps running its old version: the
 *                   deploy "succeeded", and only verify: can tell.
 *   POST /admin     ?broken=1|0&stale=1|0 sets the host's faults
 *
 * Run it: `node examples/fleet/hosts.js` serves the hosts named in rollout.config.yml (beside this
 * file) on their ports; `--hosts a,b,c` serves those names on free ports instead and prints
 * `{"hosts":[{"name","port"}]}` as one line once every host listens (what the tests use).
 * `--break a,b` and `--stale c` start hosts with a fault; `--version v1.0.0` is what all start on.
 */
import { fstatSync, readFileSync, realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const START_VERSION = 'v1.0.0';
const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/**
 * Start one service per host. `hosts`: `[{ name, port }]` (port 0: any free one).
 * Resolves once all listen; a port in use rejects, naming the host and port.
 */
export async function startHosts(hosts, { version = START_VERSION, broken = [], stale = [] } = {}) {
  const started = [];
  try {
    for (const { name, port } of hosts) {
      const host = createHost(name, version);
      host.broken = broken.includes(name);
      host.stale = stale.includes(name);
      started.push({ host, server: await listen(host, port) });
    }
  } catch (error) {
    await Promise.all(started.map(({ server }) => close(server)));
    throw error;
  }
  return {
    hosts: started.map(({ host, server }) => ({ name: host.name, port: server.address().port })),
    snapshot: () => Object.fromEntries(started.map(({ host }) => [host.name, describe(host)])),
    close: () => Promise.all(started.map(({ server }) => close(server))).then(() => undefined),
  };
}

function createHost(name, version) {
  return { name, version, previous: null, deploys: 0, broken: false, stale: false };
}

function describe(host) {
  const { name, version, previous, deploys, broken, stale } = host;
  return { name, version, previous, deploys, broken, stale };
}

/** Switch a host's version, as a deploy tool would; returns what changed. */
function deploy(host, requested) {
  const from = host.version;
  let to = requested;
  if (requested === 'previous') {
    // Undo once: a second undo (a rollback run again after a crash) has nothing left to restore.
    if (host.previous === null) return { name: host.name, from, to: from, changed: false };
    to = host.previous;
  }
  // A deploy of what already runs changes nothing, and keeps what `previous` would restore.
  if (to === from) return { name: host.name, from, to, changed: false };
  if (host.stale) return { name: host.name, from, to, changed: true }; // says yes, does nothing
  host.previous = requested === 'previous' ? null : from;
  host.version = to;
  host.deploys += 1;
  return { name: host.name, from, to, changed: true };
}

function isHealthy(host) {
  return !host.broken && !host.version.includes('broken');
}

function listen(host, port) {
  const server = createServer((request, response) => {
    handle(host, request, response);
  });
  // Pollers keep connections alive; closing the fleet must not wait for them.
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once('error', (error) => {
      reject(new Error(error.code === 'EADDRINUSE' ? `host ${host.name}: port ${port} on 127.0.0.1 is in use` : `host ${host.name}: ${error.message}`));
    });
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function close(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function handle(host, request, response) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const route = `${request.method} ${url.pathname}`;
  // Requests carry no body worth reading; drain whatever comes so the socket can be reused.
  request.resume();
  if (route === 'GET /healthz') {
    return isHealthy(host)
      ? send(response, 200, { name: host.name, version: host.version })
      : send(response, 503, { name: host.name, version: host.version, error: 'unhealthy' });
  }
  if (route === 'GET /version') return sendText(response, 200, `${host.version}\n`);
  if (route === 'GET /state') return send(response, 200, describe(host));
  if (route === 'POST /deploy') {
    const version = url.searchParams.get('version') ?? '';
    if (!VERSION_PATTERN.test(version)) return send(response, 400, { error: '?version= must be a version like v2.0.0, or "previous"' });
    return send(response, 200, deploy(host, version));
  }
  if (route === 'POST /admin') {
    for (const fault of ['broken', 'stale']) {
      const value = url.searchParams.get(fault);
      if (value !== null) host[fault] = value === '1' || value === 'true';
    }
    return send(response, 200, describe(host));
  }
  return send(response, 404, {
    error: `no route for ${route}`,
    routes: ['GET /healthz', 'GET /version', 'GET /state', 'POST /deploy?version=', 'POST /admin?broken=&stale='],
  });
}

function send(response, status, body) {
  sendText(response, status, `${JSON.stringify(body)}\n`, 'application/json; charset=utf-8');
}

function sendText(response, status, text, type = 'text/plain; charset=utf-8') {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(text);
}

/** The hosts rollout.config.yml names: `name: { host: 127.0.0.1, port: N, … }` under `targets:`. */
export function planHosts(planPath = fileURLToPath(new URL('rollout.config.yml', import.meta.url))) {
  const hosts = [];
  let inTargets = false;
  for (const line of readFileSync(planPath, 'utf8').split('\n')) {
    if (/^\S/.test(line)) inTargets = line.startsWith('targets:');
    const entry = inTargets ? /^ {2}([\w.-]+):.*\bport: (\d+)/.exec(line) : null;
    if (entry) hosts.push({ name: entry[1], port: Number(entry[2]) });
  }
  if (hosts.length === 0) throw new Error(`${planPath} names no targets with a port`);
  return hosts;
}

const list = (text) => (text ? text.split(',').filter(Boolean) : []);

async function main() {
  const { values } = parseArgs({
    options: { hosts: { type: 'string' }, break: { type: 'string' }, stale: { type: 'string' }, version: { type: 'string', default: START_VERSION } },
  });
  const hosts = values.hosts ? list(values.hosts).map((name) => ({ name, port: 0 })) : planHosts();
  const fleet = await startHosts(hosts, { version: values.version, broken: list(values.break), stale: list(values.stale) });
  const stop = () => void fleet.close().finally(() => process.exit(0));
  if (values.hosts) {
    process.stdout.write(`${JSON.stringify({ hosts: fleet.hosts })}\n`);
    // Started by a test with a pipe on stdin: its end (the test process gone) stops the hosts too.
    if (fstatSync(0).isFIFO()) process.stdin.once('end', stop).resume();
  } else {
    for (const { name, port } of fleet.hosts) process.stdout.write(`${name.padEnd(6)} http://127.0.0.1:${port}  (curl http://127.0.0.1:${port}/version)\n`);
    process.stdout.write('Ctrl-C stops them.\n');
  }
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function isMainModule() {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  main().catch((error) => {
    process.stderr.write(`hosts.js: ${error.message}\n`);
    process.exitCode = 1;
  });
}
