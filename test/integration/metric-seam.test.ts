import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { influxdbSource } from '../../src/checks/influxdb/index.js';
import type { MeasureContext } from '../../src/checks/kind.js';
import { sourceIo } from '../../src/checks/metric/fetch.js';
import { metricKind } from '../../src/checks/metric/kind.js';
import type { MetricSpec } from '../../src/checks/metric/source.js';
import { createHttpClient, type HttpClient } from '../../src/http/client.js';
import { freePort } from '../helpers/server-process.js';

/**
 * The shared path every metric source takes, over real HTTP to a local server that answers as told:
 * retries of transient errors within one deadline, rate limits waited out or reported, answers
 * handed to the source whatever their status, and secrets kept out of messages.
 */
type Reply = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let url: string;
let replies: Reply[] = [];
let seen = 0;
let http: HttpClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen++;
    const reply = replies.shift() ?? ((_req, r) => r.writeHead(200).end('{}'));
    reply(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  http = createHttpClient({});
});
afterAll(async () => {
  await http.close();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  replies = [];
  seen = 0;
});

const status =
  (code: number, body = '{}', headers: Record<string, string> = {}): Reply =>
  (_req, res) =>
    res.writeHead(code, { 'content-type': 'application/json', ...headers }).end(body);
const spec = (retries: number, server = url): Omit<MetricSpec<unknown>, 'compare'> => ({
  kind: 'test',
  server,
  displayServer: server,
  headers: {},
  caFile: null,
  ca: null,
  insecure: false,
  proxy: null,
  retries,
  windowMs: 60_000,
  query: null,
});
const io = (retries: number, timeoutMs = 3_000, server = url) => sourceIo(spec(retries, server), { http, timeoutMs, env: {} }, new AbortController().signal);

describe('the shared metric client', () => {
  it('retries a 503 and hands the source the answer that came after', async () => {
    replies = [status(503), status(200, '{"ok":true}')];
    expect(await io(1).fetch({ url })).toMatchObject({ ok: true, status: 200, body: '{"ok":true}' });
    expect(seen).toBe(2);
  });

  it('after its retries, hands the source the last answer (the source reads the server’s own error)', async () => {
    replies = [status(503, '{"a":1}'), status(503, '{"a":2}')];
    expect(await io(1).fetch({ url })).toMatchObject({ ok: true, status: 503, body: '{"a":2}' });
    expect(seen).toBe(2);
  });

  it('does not retry with retries: 0, nor a 400 (the query is wrong: asking again cannot help)', async () => {
    replies = [status(503)];
    expect(await io(0).fetch({ url })).toMatchObject({ ok: true, status: 503 });
    replies = [status(400)];
    expect(await io(3).fetch({ url })).toMatchObject({ ok: true, status: 400 });
    expect(seen).toBe(2);
  });

  it('retries a refused connection, then says how many attempts it made', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    expect(await io(2, 3_000, closed).fetch({ url: closed })).toEqual({
      ok: false,
      error: { kind: 'refused', message: expect.stringMatching(/connection refused .*\(after 3 attempts\)$/) },
    });
  });

  it('waits out a 429 whose Retry-After fits the deadline', async () => {
    replies = [status(429, '{}', { 'retry-after': '1' }), status(200, '{"late":true}')];
    expect(await io(1).fetch({ url })).toMatchObject({ ok: true, status: 200 });
    expect(seen).toBe(2);
  });

  it('reports a 429 whose X-RateLimit-Reset is past the deadline at once, saying when it resets', async () => {
    replies = [status(429, '{}', { 'x-ratelimit-reset': '60' })];
    expect(await io(3).fetch({ url })).toEqual({
      ok: false,
      error: { kind: 'rate-limit', message: "rate limited (HTTP 429); the limit resets in 60s, after this measurement's deadline" },
    });
    expect(seen).toBe(1);
  });
});

describe('a metric kind built from a source', () => {
  const kind = metricKind(influxdbSource);
  const ctx = (timeoutMs = 2_000): MeasureContext =>
    ({
      env: {},
      http,
      timeoutMs,
      now: () => Date.now(),
      dir: '/',
      killGraceMs: 0,
      exec: () => Promise.reject(new Error('no commands here')),
    }) as MeasureContext;
  const influxSpec = (headers: Record<string, string>) => ({
    ...spec(0),
    kind: 'influxdb',
    headers,
    query: { db: 'app', query: 'SELECT last("x") FROM "m"', displayQuery: 'SELECT last("x") FROM "m"' },
  });

  it('keeps header values out of the message even when the server echoes them', async () => {
    replies = [status(401, '{"error":"authorization failed for Token admin:hunter2-secret"}')];
    const measured = await kind.measure(influxSpec({ Authorization: 'Token admin:hunter2-secret' }), ctx(), new AbortController().signal);
    expect(measured.error?.kind).toBe('auth');
    expect(measured.display).toContain('***');
    expect(measured.display).not.toContain('hunter2-secret');
  });

  it('turns a reading into the measurement conditions see: series ordered by labels, nulls skipped', async () => {
    const series = (host: string, rows: [number, number | null][]) => ({ name: 'm', tags: { host }, columns: ['time', 'last'], values: rows });
    replies = [
      status(
        200,
        JSON.stringify({
          results: [
            {
              statement_id: 0,
              series: [
                series('b', [
                  [2, 7],
                  [3, null],
                ]),
                series('a', [[1, 5]]),
                series('c', [[1, null]]),
              ],
            },
          ],
        }),
      ),
    ];
    const measured = await kind.measure(influxSpec({}), ctx(), new AbortController().signal);
    expect(measured).toMatchObject({ value: [5, 7], display: '[5, 7]' });
    expect(measured.noData).toBeUndefined();
  });
});
