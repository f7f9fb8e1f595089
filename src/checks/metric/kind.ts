import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { RawCompare } from '../../compare/index.js';
import { parseDuration } from '../../plan/duration.js';
import { Redactor } from '../../secrets/redact.js';
import { insecureWarnings, isHttpUrl, prepareConnection, substituteHeaders } from '../connection.js';
import type { CheckKind, Measurement } from '../kind.js';
import { canaryQuery, comparable, compareKey, comparisonPoints, measureComparison, normaliseComparison } from './compare.js';
import { sourceIo } from './fetch.js';
import { resultOf } from './reading.js';
import { METRIC_DEFAULTS, metricShape } from './schema.js';
import type { MetricSource, MetricSpec } from './source.js';

/** The shared keys as written (each source's schema adds `server`, `window` and its query keys). */
interface RawMetric {
  server?: string;
  window?: string | number;
  headers?: Record<string, string>;
  ca?: string;
  insecure?: boolean;
  retries?: number;
  pass?: string;
  fail?: string;
  compare?: RawCompare;
}

/**
 * A check kind made of a metric source: one normalisation (the `pass:` rule, server, headers, TLS,
 * retries, window), one measurement path (the shared client with retries, then `resultOf`), and
 * one way to show it. A source that is wrong about its server's answer yields an error, never a
 * crash; messages never carry a header value or a source's secret.
 */
export function metricKind<Raw, Query>(source: MetricSource<Raw, Query>): CheckKind<Raw & RawMetric, MetricSpec<Query>> {
  return {
    type: source.type,
    schema: z.object({ ...source.schema.shape, ...metricShape, ...(comparable(source) ? { compare: compareKey } : {}) }),
    normalise(raw, ctx) {
      // `fail:` alone is a complete rule (anything it does not catch passes); a comparison decides by itself.
      if (raw.pass === undefined && raw.fail === undefined && raw.compare === undefined)
        ctx.problem(
          ['pass'],
          `${/^[aeiou]/.test(source.type) ? 'an' : 'a'} ${source.type} check needs a pass: or fail: condition on its value, e.g. \`pass: result < 0.01\``,
        );
      const compare =
        raw.compare !== undefined && comparable(source) ? normaliseComparison(raw.compare, ctx, (text, key) => source.compareQuery(text, ctx, key)) : undefined;
      if (compare && (raw as { query?: unknown }).query !== undefined)
        ctx.problem(['query'], 'give either query: (with pass:/fail:) or compare: (baseline and canary), not both');
      const written = raw.server ?? source.defaultServer?.(raw) ?? null;
      if (written === null) ctx.problem(['server'], `is required: the http(s) URL of the ${source.label} API`);
      const server = written === null ? '' : ctx.substitute(written, ['server']);
      if (written !== null && !isHttpUrl(server))
        ctx.problem(['server'], `must be an http:// or https:// URL; after substitution it is ${JSON.stringify(ctx.display(written))}`);
      return {
        kind: source.type,
        server,
        displayServer: written === null ? '' : withoutCredentials(ctx.display(written)),
        headers: substituteHeaders(raw.headers, ctx),
        caFile: raw.ca === undefined ? null : resolve(ctx.dir, raw.ca),
        ca: null,
        insecure: raw.insecure ?? false,
        proxy: null,
        retries: raw.retries ?? METRIC_DEFAULTS.retries,
        windowMs: raw.window === undefined ? METRIC_DEFAULTS.windowMs : (parseDuration(raw.window) ?? METRIC_DEFAULTS.windowMs),
        query: compare ? canaryQuery(compare) : source.normalise(raw, ctx),
        ...(compare ? { compare } : {}),
      };
    },
    prepare: (spec, ctx) => ({ ...spec, ...prepareConnection(spec.server, 'server', spec.caFile, ctx) }),
    async measure(spec, ctx, signal): Promise<Measurement> {
      const started = performance.now();
      const io = sourceIo(spec, ctx, signal, source.isTransient);
      const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
      if (spec.compare && comparable(source)) {
        const compared = await measureComparison(source, { ...spec, compare: spec.compare }, ctx, io);
        const error = compared.error && { kind: compared.error.kind, message: secretsOf(source, spec, ctx.env).text(compared.error.message) };
        return error ? { ...compared, display: error.message, error, latencyMs: elapsed() } : { ...compared, latencyMs: elapsed() };
      }
      const value = resultOf(await source.query(spec, { endMs: ctx.now(), durationMs: spec.windowMs }, io));
      const latencyMs = elapsed();
      if ('error' in value) {
        const message = secretsOf(source, spec, ctx.env).text(value.error.message);
        return { value: null, display: message, error: { kind: value.error.kind, message }, latencyMs };
      }
      return { value: value.value, display: value.display, latencyMs, ...(value.noData ? { noData: true } : {}) };
    },
    presentation: { label: 'result', unit: '', plot: [], rule: "the kind's own verdict" },
    describe: (spec) =>
      spec.compare ? `${source.describe(spec.query)} (compare ${spec.compare.settings.method}: canary against baseline)` : source.describe(spec.query),
    show: (spec) => ({
      server: spec.displayServer,
      ...source.show(spec.query),
      ...(spec.compare ? { compare: spec.compare.settings } : {}),
      headers: Object.fromEntries(Object.keys(spec.headers).map((name) => [name, '***'])),
    }),
    warnings: (spec) => insecureWarnings(spec.server, spec.insecure),
    // A comparison already waits for enough evidence: its first fail decides.
    settingDefaults: (spec) => (spec.compare ? { failureThreshold: 1 } : {}),
    plannedPoints: (spec, timing) => (spec.compare ? comparisonPoints(spec.compare, timing) : null),
  };
}

/** Header values and the source's own secrets: kept out of messages whatever the server echoes. */
function secretsOf<Query>(source: MetricSource<unknown, Query>, spec: MetricSpec<Query>, env: Readonly<Record<string, string>>): Redactor {
  return new Redactor([...Object.values(spec.headers), ...(source.secrets?.(spec.query, env) ?? [])]);
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
