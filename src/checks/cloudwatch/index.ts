import { parseDuration } from '../../plan/duration.js';
import type { NormaliseContext } from '../kind.js';
import { fillQuery } from '../metric/interpolate.js';
import type { MetricSource } from '../metric/source.js';
import { getMetricData } from './get-metric-data.js';
import { type CloudwatchQuery, cloudwatchShape, type MetricDataQuery, type RawCloudwatch } from './schema.js';

const EXPRESSION = { quotes: ['"', "'"], token: /^[A-Za-z0-9_.:/-]*$/, tokenWords: 'letters, digits, _ - : / and .', name: 'CloudWatch metric math' } as const;

/**
 * `type: cloudwatch`: `GetMetricData` (AWS JSON protocol, SigV4-signed by the `aws4` library) over the
 * last `window`, following `NextToken`. Each returned query (ReturnData not false) is a series judged
 * on its latest value. Tested against a local server that implements the documented API, not AWS.
 */
export const cloudwatchSource: MetricSource<RawCloudwatch, CloudwatchQuery> = {
  type: 'cloudwatch',
  label: 'CloudWatch',
  schema: cloudwatchShape,
  defaultServer: (raw) => `https://monitoring.${raw.region}.amazonaws.com`,
  normalise(raw, ctx) {
    const periodSeconds = Math.max(1, Math.round((raw.period === undefined ? 60_000 : (parseDuration(raw.period) ?? 60_000)) / 1000));
    const optional = (text: string | undefined, key: string) => (text === undefined ? null : ctx.substitute(text, [key]));
    return {
      region: ctx.substitute(raw.region, ['region']),
      queries: raw.MetricDataQueries.map((query, i) => fill(query, i, periodSeconds, ctx, 'run')),
      displayQueries: raw.MetricDataQueries.map((query, i) => fill(query, i, periodSeconds, ctx, 'display')),
      credentials: {
        accessKeyId: optional(raw.accessKeyId, 'accessKeyId'),
        secretAccessKey: optional(raw.secretAccessKey, 'secretAccessKey'),
        sessionToken: optional(raw.sessionToken, 'sessionToken'),
      },
    };
  },
  query: getMetricData,
  isTransient: (status, body) => status === 400 && /"__type"\s*:\s*"[^"]*(Throttling|ThrottlingException)"/.test(body),
  describe: (query) =>
    `CloudWatch: ${query.displayQueries
      .filter((q) => q.ReturnData !== false)
      .map(summary)
      .join(', ')}`,
  show: (query) => ({ region: query.region, MetricDataQueries: query.displayQueries }),
  secrets: (query, env) => [
    query.credentials.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY ?? '',
    query.credentials.sessionToken ?? env.AWS_SESSION_TOKEN ?? '',
  ],
};

/**
 * Placeholders filled in for the request (`run`: dimension values as they are, since they travel as
 * JSON; an Expression escaped as metric math) or for output (`display`: `${env.X}` kept as written).
 */
function fill(query: MetricDataQuery, index: number, period: number, ctx: NormaliseContext, mode: 'run' | 'display'): MetricDataQuery {
  const at = (...key: (string | number)[]) => ['MetricDataQueries', index, ...key];
  const text = (value: string, key: (string | number)[]) => (mode === 'run' ? ctx.substitute(value, key) : ctx.display(value));
  const stat = query.MetricStat;
  const filled: MetricDataQuery = { ...query };
  if (stat) {
    const dimensions = stat.Metric.Dimensions?.map((dimension, d) => ({
      Name: dimension.Name,
      Value: text(dimension.Value, at('MetricStat', 'Metric', 'Dimensions', d, 'Value')),
    }));
    filled.MetricStat = {
      ...stat,
      Period: stat.Period ?? query.Period ?? period,
      Metric: { ...stat.Metric, ...(dimensions ? { Dimensions: dimensions } : {}) },
    };
  }
  if (query.Expression !== undefined)
    filled.Expression = mode === 'run' ? fillQuery(query.Expression, at('Expression'), EXPRESSION, ctx) : ctx.display(query.Expression);
  return filled;
}

function summary(query: MetricDataQuery): string {
  if (query.Expression !== undefined) return query.Expression;
  const stat = query.MetricStat;
  return stat ? `${stat.Stat}(${stat.Metric.Namespace} ${stat.Metric.MetricName})` : query.Id;
}
