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
  normalise(raw, ctx) {
    if (raw.query === undefined) {
      ctx.problem(['query'], 'give either query: (with pass:/fail:) or compare: (baseline and canary)');
      return { query: '', displayQuery: '' };
    }
    return compareQuery(raw.query, ctx, ['query']);
  },
  query: (spec, window, io) => runInstantQuery(spec, window.endMs / 1000, io),
  queryRange: runRangeQuery,
  compareQuery,
  describe: (query) => `PromQL: ${oneLine(query.displayQuery)}`,
  show: (query) => ({ query: query.displayQuery }),
};

/**
 * A PromQL text as the source's query: each placeholder is looked up through the shared substitution
 * (which reports unknown names under `key`), then escaped for where it sits.
 */
function compareQuery(text: string, ctx: NormaliseContext, key: (string | number)[]): PrometheusQuery {
  const query = interpolatePromql(
    text,
    (scope, name) => ctx.substitute(`\${${scope}.${name}}`, key),
    (message) => ctx.problem(key, message),
  );
  return { query, displayQuery: ctx.display(text) };
}
