import { z } from 'zod';
import { positiveDuration } from '../../plan/schema-parts.js';
import { windowKey } from '../metric/schema.js';

/** One entry of `MetricDataQueries`, in the API's own field names, so a query copies from the AWS console's "Source". */
const metricDataQuery = z.strictObject({
  Id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/, { message: 'must start with a lower-case letter, then letters, digits or _ (the API’s rule)' }),
  MetricStat: z
    .strictObject({
      Metric: z.strictObject({
        Namespace: z.string().min(1),
        MetricName: z.string().min(1),
        Dimensions: z.array(z.strictObject({ Name: z.string().min(1), Value: z.string() })).optional(),
      }),
      Period: z.number().int().positive().optional(),
      Stat: z.string().min(1).describe('Sum, Average, Maximum, SampleCount, p95, tm99, …'),
      Unit: z.string().optional(),
    })
    .optional(),
  Expression: z.string().min(1).optional().describe('Metric math over the other Ids, e.g. errors / requests, or SEARCH(…).'),
  Label: z.string().optional(),
  ReturnData: z.boolean().optional().describe('false for inputs of an Expression; the returned queries are what conditions judge.'),
  Period: z.number().int().positive().optional(),
});

export const cloudwatchShape = z.object({
  region: z.string().min(1).describe('AWS region, e.g. eu-west-1. May use ${env.AWS_REGION}.'),
  server: z.string().min(1).optional().describe('Endpoint instead of https://monitoring.<region>.amazonaws.com (a VPC endpoint, or a test server).'),
  MetricDataQueries: z.array(metricDataQuery).min(1).describe('GetMetricData queries (Id, MetricStat or Expression, ReturnData). See docs/checks.md.'),
  period: positiveDuration.optional().describe('Period of a MetricStat that sets none, e.g. 60s. Default 60s.'),
  window: windowKey,
  accessKeyId: z.string().min(1).optional().describe('Default AWS_ACCESS_KEY_ID. Use ${env.NAME}; never printed.'),
  secretAccessKey: z.string().min(1).optional().describe('Default AWS_SECRET_ACCESS_KEY. Use ${env.NAME}; never printed.'),
  sessionToken: z.string().min(1).optional().describe('Default AWS_SESSION_TOKEN, if set. Use ${env.NAME}; never printed.'),
});

export type RawCloudwatch = z.infer<typeof cloudwatchShape>;
export type MetricDataQuery = z.infer<typeof metricDataQuery>;

export interface CloudwatchQuery {
  region: string;
  queries: MetricDataQuery[];
  /** The queries with `${env.X}` as written, for output. */
  displayQueries: MetricDataQuery[];
  credentials: { accessKeyId: string | null; secretAccessKey: string | null; sessionToken: string | null };
}
