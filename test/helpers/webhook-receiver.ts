import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/**
 * A local webhook endpoint on 127.0.0.1. `mode` decides how it answers: `ok` (204), `fail` (500),
 * or `hang` (accepts the request and never answers, for delivery timeouts).
 */
export interface WebhookReceiver {
  readonly received: readonly ReceivedWebhook[];
  /** Requests seen, including failed and hanging ones. */
  readonly attempts: number;
  url(path?: string): string;
  setMode(mode: 'ok' | 'fail' | 'hang'): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(mode: 'ok' | 'fail' | 'hang' = 'ok'): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let attempts = 0;
  let current = mode;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      attempts++;
      if (current === 'hang') return;
      if (current === 'fail') {
        res.writeHead(500).end('nope');
        return;
      }
      received.push({ path: req.url ?? '/', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    get attempts() {
      return attempts;
    },
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    setMode(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
