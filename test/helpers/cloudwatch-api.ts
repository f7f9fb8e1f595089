import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { parseAuthorization, sigV4Signature } from './sigv4-verify.js';

/**
 * A local server speaking CloudWatch's documented `GetMetricData` (AWS JSON 1.0 protocol:
 * `POST /`, `Content-Type: application/x-amz-json-1.0`, `X-Amz-Target:
 * GraniteServiceVersion20100801.GetMetricData`, SigV4 for service `monitoring`), for the tests of
 * `type: cloudwatch` — AWS cannot be reached from here. Field names are the API reference's: request
 * `MetricDataQueries[]` (`Id`, `MetricStat` {`Metric` {`Namespace`, `MetricName`, `Dimensions`
 * [{`Name`, `Value`}]}, `Period`, `Stat`}, `Expression`, `ReturnData`), `StartTime`, `EndTime`,
 * `NextToken`, `ScanBy`; response `MetricDataResults[]` {`Id`, `Label`, `Timestamps`, `Values`,
 * `StatusCode`: Complete | PartialData | InternalError | Forbidden, `Messages`}, `NextToken`, and
 * errors as `{"__type", "message"}` (UnrecognizedClientException, InvalidSignatureException,
 * Throttling, ValidationError). Expressions: the subset `a / b` over two Ids.
 */
export interface FakeCloudwatch {
  url: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Points per metric, keyed by `metricKey()`: [epoch seconds, value]. */
  metrics: Map<string, [number, number][]>;
  /** Points per page: more than this many and the answer is `PartialData` with a `NextToken`. */
  pageSize: number;
  /** The next `count` requests are throttled. */
  throttle(count: number): void;
  requests: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export function metricKey(namespace: string, name: string, dimensions: Record<string, string>, stat: string): string {
  const dims = Object.keys(dimensions)
    .sort()
    .map((key) => `${key}=${dimensions[key]}`)
    .join(',');
  return `${namespace}/${name}{${dims}}:${stat}`;
}

interface Query {
  Id: string;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] }; Period: number; Stat: string };
  Expression?: string;
  ReturnData?: boolean;
  Label?: string;
}

export async function startFakeCloudwatch(): Promise<FakeCloudwatch> {
  const fake = {
    region: 'eu-west-1',
    accessKeyId: 'AKIAROLLOUTTEST00001',
    secretAccessKey: 'rollout/test/secret+access+key/000000001',
    metrics: new Map<string, [number, number][]>(),
    pageSize: 100,
    requests: [] as FakeCloudwatch['requests'],
  };
  let throttled = 0;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'test-request' });
        res.end(JSON.stringify(body));
      };
      const fail = (status: number, type: string, message: string) => send(status, { __type: `com.amazonaws.monitoring#${type}`, message });
      if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'GraniteServiceVersion20100801.GetMetricData')
        return fail(400, 'UnknownOperationException', 'Unknown operation');
      if (req.headers['content-type'] !== 'application/x-amz-json-1.0') return fail(400, 'SerializationException', 'wrong content type');
      const auth = parseAuthorization(req.headers.authorization);
      if (!auth || auth.accessKeyId !== fake.accessKeyId)
        return fail(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      const [path, query = ''] = (req.url ?? '/').split('?') as [string, string?];
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]));
      const expected = sigV4Signature({
        method: 'POST',
        path,
        query,
        headers,
        signedHeaders: auth.signedHeaders,
        body: raw,
        secretAccessKey: fake.secretAccessKey,
        amzDate: String(req.headers['x-amz-date']),
        region: fake.region,
        service: 'monitoring',
      });
      if (auth.region !== fake.region || auth.service !== 'monitoring' || expected !== auth.signature || !auth.signedHeaders.includes('x-amz-target'))
        return fail(
          403,
          'InvalidSignatureException',
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
        );
      const body = JSON.parse(raw) as { MetricDataQueries: Query[]; StartTime: number; EndTime: number; NextToken?: string };
      fake.requests.push({ headers: req.headers, body });
      if (throttled > 0) {
        throttled--;
        return fail(400, 'Throttling', 'Rate exceeded');
      }
      if (typeof body.StartTime !== 'number' || typeof body.EndTime !== 'number' || body.EndTime <= body.StartTime)
        return fail(400, 'ValidationError', 'The parameter StartTime must be less than the parameter EndTime.');
      const offset = body.NextToken ? Number(Buffer.from(body.NextToken, 'base64').toString()) : 0;
      const points = new Map<string, [number, number][]>();
      for (const q of body.MetricDataQueries) {
        if (q.MetricStat) {
          const { Metric, Stat } = q.MetricStat;
          const dims = Object.fromEntries((Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
          const all = fake.metrics.get(metricKey(Metric.Namespace, Metric.MetricName, dims, Stat)) ?? [];
          points.set(
            q.Id,
            all.filter(([t]) => t >= body.StartTime && t < body.EndTime),
          );
        }
      }
      for (const q of body.MetricDataQueries) {
        if (q.Expression === undefined) continue;
        const match = /^\s*(\w+)\s*\/\s*(\w+)\s*$/.exec(q.Expression);
        if (!match) return fail(400, 'ValidationError', `Unsupported expression in this test server: ${q.Expression}`);
        const denominators = new Map(points.get(match[2] as string) ?? []);
        points.set(
          q.Id,
          (points.get(match[1] as string) ?? []).flatMap(([t, v]) =>
            denominators.get(t) ? [[t, v / (denominators.get(t) as number)] as [number, number]] : [],
          ),
        );
      }
      let more = false;
      const results = body.MetricDataQueries.filter((q) => q.ReturnData !== false).map((q) => {
        const newestFirst = [...(points.get(q.Id) ?? [])].sort((a, b) => b[0] - a[0]);
        const page = newestFirst.slice(offset, offset + fake.pageSize);
        const partial = newestFirst.length > offset + fake.pageSize;
        more ||= partial;
        return {
          Id: q.Id,
          Label: q.Label ?? q.Id,
          Timestamps: page.map(([t]) => t),
          Values: page.map(([, v]) => v),
          StatusCode: partial ? 'PartialData' : 'Complete',
        };
      });
      send(200, { MetricDataResults: results, Messages: [], ...(more ? { NextToken: Buffer.from(String(offset + fake.pageSize)).toString('base64') } : {}) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return Object.assign(fake, {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    throttle: (count: number) => {
      throttled = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
