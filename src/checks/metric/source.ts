import type { z } from 'zod';
import type { NormaliseContext } from '../kind.js';
import type { MetricCompare } from './compare.js';

/**
 * The metric-source seam. A source (Prometheus, Graphite, InfluxDB, Datadog, CloudWatch) is one
 * folder exporting a `MetricSource` and one line in ../registry.ts (`name: metricKind(source)`).
 * It knows only how to ask its server and read the answer; everything else — the `pass:` rule,
 * `server`/`headers`/`ca`/`insecure`/`retries`/`window`, `${env.X}` auth kept out of output, the one
 * HTTP client, one deadline, retries of transient errors, and turning a reading into a measurement —
 * is shared (metric/kind.ts), so every source judges, errs and shows alike.
 */
export interface MetricSource<Raw, Query> {
  /** The check's `type:`. */
  type: string;
  /** How the service is named in messages: "Prometheus", "Graphite". */
  label: string;
  /** The source's own plan keys (the shared metric keys and check keys are added around them). */
  schema: z.ZodObject<z.ZodRawShape>;
  /** The server when the plan gives none (Datadog from `site`, CloudWatch from `region`); null: `server` is required. */
  defaultServer?(raw: Raw): string | null;
  /** Pure: the source's query (placeholders filled and escaped for its language) and display forms. */
  normalise(raw: Raw, ctx: NormaliseContext): Query;
  /** One measurement: the value now, over the last `window`. Never throws for a server's answer. */
  query(spec: MetricSpec<Query>, window: Window, io: SourceIo): Promise<Reading>;
  /**
   * Labelled series over a range, one value per step, for comparisons over a window (canary vs
   * baseline). Optional: a source that cannot answer ranges leaves it out.
   */
  queryRange?(spec: MetricSpec<Query>, range: Range, io: SourceIo): Promise<RangeReading>;
  /**
   * One query text of a `compare:` block (a side's query, or its errors/total counter) as the
   * source's query, filled and escaped, problems under `key`. With `queryRange`, it gives the source
   * the comparison form (canary against baseline over the soak: metric/compare.ts).
   */
  compareQuery?(text: string, ctx: NormaliseContext, key: (string | number)[]): Query;
  /** One line for output ("PromQL: …"); never contains `${env.X}` values. */
  describe(query: Query): string;
  /** The query as `rollout plan --json` prints it: no secrets. */
  show(query: Query): Record<string, unknown>;
  /**
   * An answer that is transient for this service although its status does not say so (CloudWatch
   * throttles with HTTP 400 `Throttling`): retried like a 429, within `retries` and the deadline.
   */
  isTransient?(status: number, body: string): boolean;
  /** Values to keep out of every message (API keys, secret keys), beyond header values; `env` is the stage's. */
  secrets?(query: Query, env: Readonly<Record<string, string>>): string[];
}

/** The normalised check every source gets: the shared keys, then the source's own `query`. */
export interface MetricSpec<Query> {
  kind: string;
  server: string;
  /** `server` with `${env.X}` as written and credentials removed, for output. */
  displayServer: string;
  headers: Record<string, string>;
  caFile: string | null;
  ca: string | null;
  insecure: boolean;
  /** HTTP proxy chosen from the environment at load time, or null for direct. */
  proxy: string | null;
  /** Extra attempts after a transient error (refused, reset, 429, 502–504) within the deadline. */
  retries: number;
  /** How far back a windowed source looks (Graphite `from`, Datadog `from`, CloudWatch `StartTime`). */
  windowMs: number;
  /** The query (with `compare:`, the canary's, for output). */
  query: Query;
  /** The comparison form, when the check has `compare:` instead of a query with conditions. */
  compare?: MetricCompare<Query>;
}

/** The instant a measurement is about (the engine's clock) and how far back it looks. */
export interface Window {
  endMs: number;
  durationMs: number;
}

export interface Range {
  startMs: number;
  endMs: number;
  stepMs: number;
}

/** One labelled series reduced to its value now (for a windowed source: its latest non-null point). */
export interface Series {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/**
 * What a source read. `series` with none in it is *no data* (never zero, never an error); a
 * `scalar` is a single number or string; `error` is "could not measure", never a failure.
 */
export type Reading =
  | { kind: 'series'; series: Series[] }
  | { kind: 'scalar'; value: number | string }
  | { kind: 'error'; error: { kind: string; message: string } };

export type RangeReading =
  | { kind: 'range'; series: { labels: Readonly<Record<string, string>>; points: [number, number][] }[] }
  | { kind: 'error'; error: { kind: string; message: string } };

/** A request a source makes; the shared client adds the check's headers, TLS, proxy and deadline. */
export interface SourceRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  maxBodyBytes?: number;
}

/** An HTTP answer (any status: the source judges it), or why there was none. */
export type SourceAnswer =
  | { ok: true; status: number; headers: Readonly<Record<string, string>>; body: string }
  | { ok: false; error: { kind: string; message: string } };

/** What `query()` may use: the shared client (with retries) and the stage's environment. */
export interface SourceIo {
  fetch(request: SourceRequest): Promise<SourceAnswer>;
  /** The environment checks get (e.g. AWS_ACCESS_KEY_ID when the plan names none). */
  env: Readonly<Record<string, string>>;
  /** The measurement's deadline (`timeout:`), e.g. to tell the server a little less. */
  timeoutMs: number;
}
