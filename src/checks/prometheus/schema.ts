import { z } from 'zod';
import { compareShape } from '../../compare/index.js';
import type { PrometheusCompare } from './compare.js';

/** The prometheus kind's own keys (the shared check keys — pass, fail, interval, … — are added by the plan schema). */
export const prometheusShape = z.object({
  server: z
    .string()
    .min(1, { message: 'must be the http(s) URL of a Prometheus-compatible API' })
    .describe(
      'Base URL of a Prometheus-compatible API (Prometheus, Thanos, Mimir, VictoriaMetrics), e.g. http://prometheus:9090. May use ${vars.NAME} and ${env.NAME}.',
    ),
  query: z
    .string()
    .min(1, { message: 'must be a PromQL expression' })
    .optional()
    .describe('PromQL instant query; its value is `result` in conditions. ${vars.NAME}, ${args.NAME} and ${stage.name} are escaped as PromQL strings.'),
  compare: compareShape.optional().describe('Instead of query: judge the canary against a baseline over the soak so far (docs/prometheus.md, "Comparing").'),
  headers: z.record(z.string(), z.string()).optional().describe('Request headers, e.g. X-Scope-OrgID for a tenant or Authorization: Bearer ${env.TOKEN}.'),
  ca: z.string().min(1).optional().describe('PEM file of extra CA certificate(s) to trust for this server, relative to the plan file.'),
  insecure: z.boolean().optional().describe('Skip TLS certificate verification for this server (prints a warning). Default false.'),
});

export type RawPrometheus = z.infer<typeof prometheusShape>;

export interface PrometheusSpec {
  kind: 'prometheus';
  server: string;
  /** The server URL with `${env.X}` as written, credentials removed, for output. */
  displayServer: string;
  query: string;
  /** The query with `${env.X}` as written, for output. */
  displayQuery: string;
  headers: Record<string, string>;
  /** Absolute path of the `ca:` file; read by `prepare` when the plan is loaded. */
  caFile: string | null;
  ca: string | null;
  insecure: boolean;
  /** HTTP proxy URL chosen from the proxy environment at load time, or null for direct. */
  proxy: string | null;
  /** The comparison form (then `query` is the canary's, for display). */
  compare?: PrometheusCompare;
}
