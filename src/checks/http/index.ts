import { resolve } from 'node:path';
import { parseDuration } from '../../plan/duration.js';
import { insecureWarnings, isHttpUrl, prepareConnection, substituteHeaders } from '../connection.js';
import type { CheckKind } from '../kind.js';
import { measureHttp } from './measure.js';
import { type HttpSpec, httpShape, type RawHttp } from './schema.js';

/** `type: http` (the default when a check has a `url`): GET a URL, judge status, body and latency. */
export const httpKind: CheckKind<RawHttp, HttpSpec> = {
  type: 'http',
  schema: httpShape,
  normalise(raw, ctx) {
    const url = ctx.substitute(raw.url, ['url']);
    const displayUrl = ctx.display(raw.url);
    if (!isHttpUrl(url)) ctx.problem(['url'], `must be an http:// or https:// URL; after substitution it is ${JSON.stringify(displayUrl)}`);
    if (raw.bodyMatches !== undefined) {
      try {
        new RegExp(raw.bodyMatches);
      } catch (error) {
        ctx.problem(['bodyMatches'], `is not a valid regular expression: ${(error as Error).message}`);
      }
    }
    const headers = substituteHeaders(raw.headers, ctx);
    return {
      kind: 'http',
      url,
      displayUrl,
      expectStatus: raw.expectStatus === undefined ? null : Array.isArray(raw.expectStatus) ? raw.expectStatus : [raw.expectStatus],
      bodyMatches: raw.bodyMatches ?? null,
      maxLatencyMs: raw.maxLatency === undefined ? null : (parseDuration(raw.maxLatency) ?? null),
      headers,
      caFile: raw.ca === undefined ? null : resolve(ctx.dir, raw.ca),
      ca: null,
      insecure: raw.insecure ?? false,
      proxy: null,
    };
  },
  prepare: (spec, ctx) => ({ ...spec, ...prepareConnection(spec.url, 'url', spec.caFile, ctx) }),
  measure: measureHttp,
  // An answer is an object (status, body, headers): what a chart shows of it is how long it took.
  presentation: { label: 'latency (ms)', unit: 'ms', plot: ['latencyMs'], rule: 'pass: HTTP 2xx within the timeout' },
  describe: (spec) => `GET ${spec.displayUrl}`,
  entryPoint: (spec) => spec.displayUrl,
  show: (spec) => ({
    url: spec.displayUrl,
    expectStatus: spec.expectStatus,
    bodyMatches: spec.bodyMatches,
    maxLatencyMs: spec.maxLatencyMs,
    headers: Object.fromEntries(Object.keys(spec.headers).map((name) => [name, '***'])),
  }),
  warnings: (spec) => insecureWarnings(spec.url, spec.insecure),
};
