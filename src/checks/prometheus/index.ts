import type { NormaliseContext } from '../kind.js';
import type { MetricSource } from '../metric/source.js';
import { oneLine } from './answer.js';
import { interpolatePromql } from './promql.js';
import { runInstantQuery, runRangeQuery } from './query.js';
import { type PrometheusQuery, prometheusShape, type RawPrometheus } from './schema.js';

/** `type: prometheus`: one PromQL instant query per measurement at the engine's now; its value is what conditions judge. */
export const prometheusSource: MetricSource<RawPrometheus, PrometheusQuery> = {
  type: 'prometheus',
  label: 'Prometheus',
  schema: prometheusShape,
  normalise: (raw, ctx) => ({ query: fillQuery(raw.query, ctx), displayQuery: ctx.display(raw.query) }),
  query: (spec, window, io) => runInstantQuery(spec, window.endMs / 1000, io),
  queryRange: runRangeQuery,
  describe: (query) => `PromQL: ${oneLine(query.displayQuery)}`,
  show: (query) => ({ query: query.displayQuery }),
};

/** Each placeholder is looked up through the shared substitution (which reports unknown names), then escaped for where it sits. */
function fillQuery(query: string, ctx: NormaliseContext): string {
  return interpolatePromql(
    query,
    (scope, name) => ctx.substitute(`\${${scope}.${name}}`, ['query']),
    (message) => ctx.problem(['query'], message),
  );
}
