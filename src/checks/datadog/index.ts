import { z } from 'zod';
import { fillQuery } from '../metric/interpolate.js';
import { oneLine } from '../metric/reading.js';
import { windowKey } from '../metric/schema.js';
import type { MetricSource } from '../metric/source.js';
import { readDatadogAnswer } from './answer.js';

const shape = z.object({
  query: z
    .string()
    .min(1, { message: 'must be a Datadog metric query' })
    .describe('Datadog metric query, e.g. sum:trace.http.request.errors{service:web,version:${vars.version}}.as_count(); placeholders may be tag values.'),
  site: z
    .string()
    .min(1)
    .optional()
    .describe('Your Datadog site: datadoghq.com (default), us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ddog-gov.com.'),
  server: z.string().min(1).optional().describe('API base URL instead of https://api.<site> (a proxy, or a test server).'),
  apiKey: z.string().min(1).optional().describe('DD-API-KEY; default the DD_API_KEY environment variable. Use ${env.NAME}; never printed.'),
  appKey: z.string().min(1).optional().describe('DD-APPLICATION-KEY; default the DD_APP_KEY environment variable. Use ${env.NAME}; never printed.'),
  window: windowKey,
});

type RawDatadog = z.infer<typeof shape>;

interface DatadogQuery {
  query: string;
  displayQuery: string;
  apiKey: string | null;
  appKey: string | null;
}

/** Tag values outside quotes: what Datadog allows in a tag (letters, digits, `_ - . : /`), never `,` `}` or a space. */
const LANGUAGE = { quotes: ['"'], token: /^[A-Za-z0-9_.:/-]*$/, tokenWords: 'letters, digits, _ - : / and .', name: 'Datadog' } as const;

/**
 * `type: datadog`: `GET /api/v1/query?from=…&to=…&query=…` with `DD-API-KEY` and
 * `DD-APPLICATION-KEY`. Each series (`series[].pointlist`, nulls skipped) is judged on its latest
 * point in the window. Rate limits (HTTP 429) are waited out when `X-RateLimit-Reset` fits the
 * check's timeout. Tested against a local server that speaks the documented API, not the service.
 */
export const datadogSource: MetricSource<RawDatadog, DatadogQuery> = {
  type: 'datadog',
  label: 'Datadog',
  schema: shape,
  defaultServer: (raw) => `https://api.${raw.site ?? 'datadoghq.com'}`,
  normalise: (raw, ctx) => ({
    query: fillQuery(raw.query, ['query'], LANGUAGE, ctx),
    displayQuery: ctx.display(raw.query),
    apiKey: raw.apiKey === undefined ? null : ctx.substitute(raw.apiKey, ['apiKey']),
    appKey: raw.appKey === undefined ? null : ctx.substitute(raw.appKey, ['appKey']),
  }),
  async query(spec, window, io) {
    const apiKey = spec.query.apiKey ?? io.env.DD_API_KEY;
    const appKey = spec.query.appKey ?? io.env.DD_APP_KEY;
    if (!apiKey || !appKey)
      return {
        kind: 'error',
        error: { kind: 'auth', message: `no Datadog ${apiKey ? 'application' : 'API'} key: set ${apiKey ? 'DD_APP_KEY or appKey:' : 'DD_API_KEY or apiKey:'}` },
      };
    const url = new URL(spec.server);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
    url.search = new URLSearchParams({
      from: String(Math.floor((window.endMs - window.durationMs) / 1000)),
      to: String(Math.floor(window.endMs / 1000)),
      query: spec.query.query,
    }).toString();
    const answer = await io.fetch({ url: url.href, headers: { 'DD-API-KEY': apiKey, 'DD-APPLICATION-KEY': appKey } });
    if (!answer.ok)
      return {
        kind: 'error',
        error: { kind: answer.error.kind, message: `Datadog at ${url.host}: ${answer.error.message} (query: ${oneLine(spec.query.query)})` },
      };
    return readDatadogAnswer(answer.status, answer.body, spec.query.query);
  },
  describe: (query) => `Datadog: ${oneLine(query.displayQuery)}`,
  show: (query) => ({ query: query.displayQuery, ...(query.apiKey ? { apiKey: '***' } : {}), ...(query.appKey ? { appKey: '***' } : {}) }),
  secrets: (query, env) => [query.apiKey ?? env.DD_API_KEY ?? '', query.appKey ?? env.DD_APP_KEY ?? ''],
};
