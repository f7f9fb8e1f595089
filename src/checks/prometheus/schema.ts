import { z } from 'zod';
import { serverKey } from '../metric/schema.js';

/** The prometheus source's own keys (the metric keys — headers, ca, … — and check keys are added around them). */
export const prometheusShape = z.object({
  server: serverKey('http://prometheus:9090').describe(
    'Base URL of a Prometheus-compatible API (Prometheus, Thanos, Mimir, VictoriaMetrics), e.g. http://prometheus:9090. May use ${vars.NAME} and ${env.NAME}.',
  ),
  query: z
    .string()
    .min(1, { message: 'must be a PromQL expression' })
    .optional()
    .describe('PromQL instant query; its value is `result` in conditions. ${vars.NAME}, ${args.NAME} and ${stage.name} are escaped as PromQL strings.'),
});

export type RawPrometheus = z.infer<typeof prometheusShape>;

export interface PrometheusQuery {
  query: string;
  /** The query with `${env.X}` as written, for output. */
  displayQuery: string;
}
