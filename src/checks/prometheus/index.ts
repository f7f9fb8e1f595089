import { resolve } from 'node:path';
import { insecureWarnings, isHttpUrl, prepareConnection, substituteHeaders } from '../http/connection.js';
import type { CheckKind, NormaliseContext } from '../kind.js';
import { oneLine } from './answer.js';
import { canaryQuery, comparisonPoints, normaliseComparison } from './compare.js';
import { measurePrometheus } from './measure.js';
import { interpolatePromql } from './promql.js';
import { type PrometheusSpec, prometheusShape, type RawPrometheus } from './schema.js';

/** `type: prometheus`: one PromQL instant query per measurement; its value is what conditions judge. */
export const prometheusKind: CheckKind<RawPrometheus, PrometheusSpec> = {
  type: 'prometheus',
  schema: prometheusShape,
  normalise(raw, ctx) {
    const conditions = raw as { pass?: string; fail?: string; interval?: string };
    // `fail:` alone is a complete rule (docs/checks.md): anything it does not catch passes. A
    // comparison decides by itself.
    if (conditions.pass === undefined && conditions.fail === undefined && raw.compare === undefined)
      ctx.problem(['pass'], 'a prometheus check needs a pass: or fail: condition on its value, e.g. `pass: result < 0.01`');
    if ((raw.query === undefined) === (raw.compare === undefined))
      ctx.problem(['query'], 'give either query: (with pass:/fail:) or compare: (baseline and canary)');
    const compare = raw.compare && normaliseComparison(raw.compare, ctx, (query, key) => fillQuery(query, ctx, key));
    const query = raw.query ?? canaryQuery(raw.compare);
    const server = ctx.substitute(raw.server, ['server']);
    if (!isHttpUrl(server)) ctx.problem(['server'], `must be an http:// or https:// URL; after substitution it is ${JSON.stringify(ctx.display(raw.server))}`);
    const headers = substituteHeaders(raw.headers, ctx);
    return {
      kind: 'prometheus',
      server,
      displayServer: withoutCredentials(ctx.display(raw.server)),
      query: compare ? canaryQuery(compare) : fillQuery(query, ctx),
      displayQuery: ctx.display(query),
      headers,
      caFile: raw.ca === undefined ? null : resolve(ctx.dir, raw.ca),
      ca: null,
      insecure: raw.insecure ?? false,
      proxy: null,
      ...(compare ? { compare } : {}),
    };
  },
  prepare: (spec, ctx) => ({ ...spec, ...prepareConnection(spec.server, 'server', spec.caFile, ctx) }),
  measure: measurePrometheus,
  describe: (spec) =>
    spec.compare ? `PromQL ${spec.compare.settings.method}, canary: ${oneLine(spec.displayQuery)}` : `PromQL: ${oneLine(spec.displayQuery)}`,
  show: (spec) => ({
    server: spec.displayServer,
    query: spec.displayQuery,
    ...(spec.compare ? { compare: spec.compare.settings } : {}),
    headers: Object.fromEntries(Object.keys(spec.headers).map((name) => [name, '***'])),
  }),
  warnings: (spec) => insecureWarnings(spec.server, spec.insecure),
  settingDefaults: (spec) => (spec.compare ? { failureThreshold: 1 } : {}),
  plannedPoints: (spec, timing) => (spec.compare ? comparisonPoints(spec.compare, timing) : null),
};

/** Each placeholder is looked up through the shared substitution (which reports unknown names), then escaped for where it sits. */
function fillQuery(query: string, ctx: NormaliseContext, key: (string | number)[] = ['query']): string {
  return interpolatePromql(
    query,
    (scope, name) => ctx.substitute(`\${${scope}.${name}}`, key),
    (message) => ctx.problem(key, message),
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
