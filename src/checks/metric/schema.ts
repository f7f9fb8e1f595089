import { z } from 'zod';
import { positiveDuration, wholeNumber } from '../../plan/schema-parts.js';

/** Keys every metric source has (the check's own keys — pass, fail, interval, … — are added by the plan schema). */
export const metricShape = {
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe('Request headers, e.g. X-Scope-OrgID for a tenant or Authorization: Bearer ${env.TOKEN}. Values are never printed.'),
  ca: z.string().min(1).optional().describe('PEM file of extra CA certificate(s) to trust for this server, relative to the plan file.'),
  insecure: z.boolean().optional().describe('Skip TLS certificate verification for this server (prints a warning). Default false.'),
  retries: wholeNumber(0)
    .optional()
    .describe('Extra attempts after a transient error (refused, reset, HTTP 429/502/503/504) within the timeout; still an error if all fail. Default 1.'),
};

/** `window:` for the sources that read a time range (Graphite, Datadog, CloudWatch). */
export const windowKey = positiveDuration
  .optional()
  .describe('How far back each measurement looks; each series is judged on its latest non-null point in it. Default 5m.');

/** `server:` as most sources need it. */
export function serverKey(example: string) {
  return z
    .string()
    .min(1, { message: 'must be an http(s) URL' })
    .describe(`Base URL of the API, e.g. ${example}; a path prefix is kept. May use \${vars.NAME} and \${env.NAME}.`);
}

export const METRIC_DEFAULTS = { retries: 1, windowMs: 5 * 60_000 } as const;
