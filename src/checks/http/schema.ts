import { z } from 'zod';
import { durationAboveZero, httpStatus } from '../../plan/schema-parts.js';

/** The http kind's own keys (the shared check keys are added by the plan schema). */
export const httpShape = z.object({
  url: z
    .string()
    .min(1, { message: 'must be an http:// or https:// URL' })
    .describe('URL to GET. May use ${vars.NAME}, ${env.NAME}, ${stage.name} and ${args.NAME}; checked after substitution.'),
  expectStatus: z
    .union([httpStatus, z.array(httpStatus).min(1, { message: 'must list at least one status' })])
    .optional()
    .describe('Accepted status code(s). Default: any 2xx.'),
  bodyMatches: z.string().min(1).optional().describe('Regular expression the response body must match (JavaScript syntax, no flags).'),
  maxLatency: durationAboveZero('every answer takes some time, so each would fail')
    .optional()
    .describe('Slowest acceptable answer, e.g. 300ms; slower is a failed measurement.'),
  headers: z.record(z.string(), z.string()).optional().describe('Request headers. Values may use ${vars.NAME} and ${env.NAME}.'),
  ca: z.string().min(1).optional().describe('PEM file of extra CA certificate(s) to trust for this check, relative to the plan file.'),
  insecure: z.boolean().optional().describe('Skip TLS certificate verification for this check (prints a warning). Default false.'),
});

export type RawHttp = z.infer<typeof httpShape>;

export interface HttpSpec {
  kind: 'http';
  url: string;
  /** The URL with `${env.X}` as written, for output. */
  displayUrl: string;
  /** Accepted statuses; null = any 2xx. */
  expectStatus: number[] | null;
  /** Regular expression source the body must match, or null. */
  bodyMatches: string | null;
  maxLatencyMs: number | null;
  headers: Record<string, string>;
  /** Absolute path of the `ca:` file; read by `prepare` when the plan is loaded. */
  caFile: string | null;
  /** PEM text of extra CAs to trust (from `caFile`), or null for the default store. */
  ca: string | null;
  insecure: boolean;
  /** HTTP proxy URL chosen from the proxy environment at load time, or null for direct. */
  proxy: string | null;
}
