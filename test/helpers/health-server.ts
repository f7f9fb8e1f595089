import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * A real HTTP health endpoint on 127.0.0.1 whose answer can be changed while a run is in progress:
 * from the test (`setStatus`) or from a plan's shell command (`setStatusCommand`, which POSTs to
 * `/admin/status/<code>`). Status 0 means "accept the request and never answer" (poll timeouts).
 */
export interface HealthServer {
  readonly port: number;
  readonly status: number;
  /** Health requests seen (admin requests excluded), oldest first. */
  readonly requests: readonly RecordedRequest[];
  url(path?: string): string;
  setStatus(status: number): void;
  /** Answer health requests with these statuses in turn, cycling (e.g. `[503, 200]` for a flaky check). */
  cycleStatuses(statuses: number[]): void;
  /** Health requests seen, optionally only those for one path. */
  requestCount(path?: string): number;
  /** A shell command that sets the status through the admin endpoint and exits 0 on success. */
  setStatusCommand(status: number): string;
  close(): Promise<void>;
}

export async function startHealthServer(initialStatus = 200): Promise<HealthServer> {
  let status = initialStatus;
  let cycle: number[] | null = null;
  const requests: RecordedRequest[] = [];
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const reqPath = req.url ?? '/';
    const admin = /^\/admin\/status\/(\d+)$/.exec(reqPath);
    if (admin && req.method === 'POST') {
      status = Number(admin[1]);
      cycle = null;
      res.writeHead(204).end();
      return;
    }
    requests.push({ method: req.method ?? 'GET', path: reqPath, headers: req.headers });
    if (cycle) status = cycle[(requests.length - 1) % cycle.length] ?? status;
    if (status === 0) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 400 ? 'ok\n' : 'unhealthy\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    port,
    get status() {
      return status;
    },
    requests,
    url: (path = '/healthz') => `${base}${path}`,
    setStatus(next) {
      status = next;
      cycle = null;
    },
    cycleStatuses(statuses) {
      cycle = statuses.length > 0 ? [...statuses] : null;
    },
    requestCount: (path) => (path === undefined ? requests.length : requests.filter((r) => r.path === path).length),
    setStatusCommand(next) {
      const script = `fetch('${base}/admin/status/${next}',{method:'POST'}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;
      return `'${process.execPath}' -e "${script}"`;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on which nothing listens (connection refused): a port we bound and released. */
export async function unusedUrl(path = '/healthz'): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}
