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
    const list = arrivals.get(path) ?? [];
    if (list.length === 0) arrivals.set(path, list);
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
 * Poll start jitter: how late each poll started against its check's fixed schedule t0 + k ×
 * interval. A timer can only fire late, never early, so a check's t0 is its earliest on-time
 * estimate, min over k of (arrival_k − k × interval); polls are matched to k by rounding from the
 * first. `sharedJitters` is the same against one schedule shared by every check (t0 = the first
 * poll of any check): it also counts how long a check waited behind the others.
 */
export function scheduleJitter(arrivals, paths, intervalMs) {
  const firsts = paths.map((p) => arrivals.get(p)?.[0]).filter((t) => t !== undefined);
  if (firsts.length === 0) return { jitters: [], sharedJitters: [], polls: 0 };
  const shared = Math.min(...firsts);
  const jitters = [];
  const sharedJitters = [];
  for (const p of paths) {
    const times = arrivals.get(p) ?? [];
    const slots = times.map((t) => Math.round((t - times[0]) / intervalMs));
    const t0 = Math.min(...times.map((t, i) => t - slots[i] * intervalMs));
    for (const [i, t] of times.entries()) {
      jitters.push(t - t0 - slots[i] * intervalMs);
      const k = Math.floor((t - shared + intervalMs * 0.1) / intervalMs);
      sharedJitters.push(Math.abs(t - shared - k * intervalMs));
    }
  }
  return { jitters, sharedJitters, polls: jitters.length };
}
