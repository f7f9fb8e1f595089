import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * A local health endpoint that answers 200 `ok` on every path and remembers when each path was
 * polled (performance.now(), ms). `failFrom(path, ms)` makes one path answer 500 from then on.
 * Each check gets its own path, so arrivals are per check.
 */
export async function startHealthServer() {
  const arrivals = new Map();
  const failing = new Map();
  const listeners = new Map();
  const server = http.createServer((request, response) => {
    const now = performance.now();
    const path = request.url ?? '/';
    let list = arrivals.get(path);
    if (!list) arrivals.set(path, (list = []));
    list.push(now);
    listeners.get(path)?.(now);
    const failAt = failing.get(path);
    const status = failAt !== undefined && now >= failAt ? 500 : 200;
    response.writeHead(status, { 'content-type': 'text/plain', 'content-length': 2 });
    response.end(status === 200 ? 'ok' : 'no');
  });
  server.keepAliveTimeout = 10_000;
  // A curl loop opens a thousand connections at once: a short backlog would drop SYNs (1 s retries).
  await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address();
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    arrivals,
    /** Calls `fn(now)` at every request for `path`. */
    onRequest: (path, fn) => listeners.set(path, fn),
    failFrom: (path, atMs) => failing.set(path, atMs),
    reset: () => {
      arrivals.clear();
      failing.clear();
      listeners.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Poll start jitter against a fixed schedule: every check was due at t0 + k × interval, with t0
 * the first poll seen of any check (they all share the soak's start). Each arrival is matched to
 * the slot it belongs to (up to 10 % early counts as that slot) and its distance from it is the
 * jitter. Returns the jitters (ms) and how many polls arrived.
 */
export function scheduleJitter(arrivals, paths, intervalMs) {
  const firsts = paths.map((p) => arrivals.get(p)?.[0]).filter((t) => t !== undefined);
  if (firsts.length === 0) return { jitters: [], polls: 0 };
  const t0 = Math.min(...firsts);
  const jitters = [];
  for (const p of paths) {
    for (const t of arrivals.get(p) ?? []) {
      const k = Math.floor((t - t0 + intervalMs * 0.1) / intervalMs);
      jitters.push(Math.abs(t - t0 - k * intervalMs));
    }
  }
  return { jitters, polls: jitters.length };
}
