import { resolve } from 'node:path';
import { proxyFor } from '../../http/proxy.js';
import { parseDuration } from '../../plan/duration.js';
import type { CheckKind } from '../kind.js';
import { measureHttp } from './measure.js';
import { type HttpSpec, httpShape, type RawHttp } from './schema.js';
import { readCaFile } from './tls.js';

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
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw.headers ?? {})) headers[name] = ctx.substitute(value, ['headers', name]);
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
  prepare(spec, ctx) {
    let ca: string | null = null;
    if (spec.caFile !== null) {
      const file = readCaFile(spec.caFile);
      if (file.ok) ca = file.pem;
      else ctx.problem(['ca'], file.message);
    }
    const proxy = proxyFor(spec.url, ctx.env);
    if (!proxy.ok) ctx.problem(['url'], proxy.message);
    return { ...spec, ca, proxy: proxy.ok ? proxy.proxy : null };
  },
  measure: measureHttp,
  describe: (spec) => `GET ${spec.displayUrl}`,
  entryPoint: (spec) => spec.displayUrl,
  show: (spec) => ({
    url: spec.displayUrl,
    expectStatus: spec.expectStatus,
    bodyMatches: spec.bodyMatches,
    maxLatencyMs: spec.maxLatencyMs,
    headers: Object.fromEntries(Object.keys(spec.headers).map((name) => [name, '***'])),
  }),
  warnings: (spec) => (spec.insecure && spec.url.startsWith('https:') ? ['has insecure: true; its TLS certificate is not verified'] : []),
};

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
