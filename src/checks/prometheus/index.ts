import { resolve } from 'node:path';
import { proxyFor } from '../../http/proxy.js';
import { readCaFile } from '../http/tls.js';
import type { CheckKind, NormaliseContext } from '../kind.js';
import { oneLine } from './answer.js';
import { measurePrometheus } from './measure.js';
import { interpolatePromql } from './promql.js';
import { type PrometheusSpec, prometheusShape, type RawPrometheus } from './schema.js';

/** `type: prometheus`: one PromQL instant query per measurement; its value is what conditions judge. */
export const prometheusKind: CheckKind<RawPrometheus, PrometheusSpec> = {
  type: 'prometheus',
  schema: prometheusShape,
  normalise(raw, ctx) {
    if ((raw as { pass?: string }).pass === undefined)
      ctx.problem(['pass'], 'a prometheus check needs a pass: condition on its value, e.g. `pass: result < 0.01`');
    const server = ctx.substitute(raw.server, ['server']);
    if (!isHttpUrl(server)) ctx.problem(['server'], `must be an http:// or https:// URL; after substitution it is ${JSON.stringify(ctx.display(raw.server))}`);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw.headers ?? {})) headers[name] = ctx.substitute(value, ['headers', name]);
    return {
      kind: 'prometheus',
      server,
      displayServer: withoutCredentials(ctx.display(raw.server)),
      query: fillQuery(raw.query, ctx),
      displayQuery: ctx.display(raw.query),
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
    const proxy = isHttpUrl(spec.server) ? proxyFor(spec.server, ctx.env) : { ok: true as const, proxy: null };
    if (!proxy.ok) ctx.problem(['server'], proxy.message);
    return { ...spec, ca, proxy: proxy.ok ? proxy.proxy : null };
  },
  measure: measurePrometheus,
  describe: (spec) => `PromQL: ${oneLine(spec.displayQuery)}`,
  show: (spec) => ({
    server: spec.displayServer,
    query: spec.displayQuery,
    headers: Object.fromEntries(Object.keys(spec.headers).map((name) => [name, '***'])),
  }),
  warnings: (spec) => (spec.insecure && spec.server.startsWith('https:') ? ['has insecure: true; its TLS certificate is not verified'] : []),
};

/** Each placeholder is looked up through the shared substitution (which reports unknown names), then escaped for where it sits. */
function fillQuery(query: string, ctx: NormaliseContext): string {
  return interpolatePromql(
    query,
    (scope, name) => ctx.substitute(`\${${scope}.${name}}`, ['query']),
    (message) => ctx.problem(['query'], message),
  );
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function withoutCredentials(text: string): string {
  try {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    return url.href.replace(/\/$/, '');
  } catch {
    return text;
  }
}
