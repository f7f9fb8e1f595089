import { createServer, type IncomingMessage, type Server } from 'node:http';

/**
 * A local server speaking Datadog's documented metrics query API (v1 `GET /api/v1/query`), for the
 * tests of `type: datadog` — the service itself cannot be reached from here. Field names are the
 * documentation's: request `from`, `to`, `query` (seconds since the epoch) and headers `DD-API-KEY`,
 * `DD-APPLICATION-KEY`; response `MetricsQueryResponse` with `status`, `res_type`, `series[]` of
 * `{metric, display_name, expression, scope, tag_set, pointlist: [[ms, value|null]], start, end,
 * interval, length, aggr, unit}`, `from_date`, `to_date`, `query`, `group_by`; errors as
 * `{"errors": ["…"]}` with 400 (bad request) and 403 (bad keys); rate limits as 429 with
 * `X-RateLimit-Limit`, `X-RateLimit-Period`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (seconds
 * until the limit resets) and `X-RateLimit-Name`.
 */
export interface DatadogPoint {
  scope: string;
  /** Values, oldest first, one per 10 s ending at `to`; null where nothing was reported. */
  values: (number | null)[];
}

export interface FakeDatadog {
  url: string;
  apiKey: string;
  appKey: string;
  /** What a query answers: its series (none: an empty `series`). */
  answers: Map<string, DatadogPoint[]>;
  /** The next `count` requests are rate limited with `X-RateLimit-Reset: resetSeconds`. */
  rateLimit(count: number, resetSeconds: number): void;
  requests: { path: string; params: URLSearchParams; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export async function startFakeDatadog(): Promise<FakeDatadog> {
  const apiKey = 'dd-api-0123456789abcdef';
  const appKey = 'dd-app-fedcba9876543210';
  const answers = new Map<string, DatadogPoint[]>();
  const requests: FakeDatadog['requests'] = [];
  let limited = { count: 0, reset: 0 };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ path: url.pathname, params: url.searchParams, headers: req.headers });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/api/v1/query' || req.method !== 'GET') return send(404, { errors: ['Not found'] });
    if (req.headers['dd-api-key'] !== apiKey || req.headers['dd-application-key'] !== appKey) return send(403, { errors: ['Forbidden'] });
    if (limited.count > 0) {
      limited.count--;
      return send(
        429,
        { errors: ['Too many requests'] },
        {
          'X-RateLimit-Limit': '100',
          'X-RateLimit-Period': '60',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(limited.reset),
          'X-RateLimit-Name': 'query',
        },
      );
    }
    for (const name of ['from', 'to', 'query']) if (!url.searchParams.get(name)) return send(400, { errors: [`Missing required parameter: ${name}`] });
    const query = url.searchParams.get('query') as string;
    if (query.includes('syntax_error')) return send(400, { errors: [`Error parsing query: unable to parse ${query}: Rule 'scope_expr' didn't match`] });
    const from = Number(url.searchParams.get('from')) * 1000;
    const to = Number(url.searchParams.get('to')) * 1000;
    const series = (answers.get(query) ?? []).map((one) => {
      const pointlist = one.values.map((value, i) => [to - (one.values.length - 1 - i) * 10_000, value]);
      return {
        metric: query.split('{')[0]?.split(':').at(-1),
        display_name: query,
        expression: query,
        scope: one.scope,
        tag_set: one.scope.split(','),
        pointlist,
        start: pointlist[0]?.[0] ?? from,
        end: pointlist.at(-1)?.[0] ?? to,
        interval: 10,
        length: pointlist.length,
        aggr: query.split(':')[0],
        unit: null,
      };
    });
    send(200, { status: 'ok', res_type: 'time_series', series, from_date: from, to_date: to, query, group_by: [], message: '' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    apiKey,
    appKey,
    answers,
    rateLimit: (count, reset) => {
      limited = { count, reset };
    },
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
