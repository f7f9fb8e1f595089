import { resolve } from 'node:path';
import { insecureWarnings, isHttpUrl, prepareConnection, substituteHeaders } from '../http/connection.js';
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
    const conditions = raw as { pass?: string; fail?: string };
    // `fail:` alone is a complete rule (docs/checks.md): anything it does not catch passes.
    if (conditions.pass === undefined && conditions.fail === undefined)
      ctx.problem(['pass'], 'a prometheus check needs a pass: or fail: condition on its value, e.g. `pass: result < 0.01`');
    const server = ctx.substitute(raw.server, ['server']);
    if (!isHttpUrl(server)) ctx.problem(['server'], `must be an http:// or https:// URL; after substitution it is ${JSON.stringify(ctx.display(raw.server))}`);
    const headers = substituteHeaders(raw.headers, ctx);
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
  prepare: (spec, ctx) => ({ ...spec, ...prepareConnection(spec.server, 'server', spec.caFile, ctx) }),
  measure: measurePrometheus,
  describe: (spec) => `PromQL: ${oneLine(spec.displayQuery)}`,
  show: (spec) => ({
    server: spec.displayServer,
    query: spec.displayQuery,
    headers: Object.fromEntries(Object.keys(spec.headers).map((name) => [name, '***'])),
  }),
  warnings: (spec) => insecureWarnings(spec.server, spec.insecure),
};

/** Each placeholder is looked up through the shared substitution (which reports unknown names), then escaped for where it sits. */
function fillQuery(query: string, ctx: NormaliseContext): string {
  return interpolatePromql(
    query,
    (scope, name) => ctx.substitute(`\${${scope}.${name}}`, ['query']),
    (message) => ctx.problem(['query'], message),
  );
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
