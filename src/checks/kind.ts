import type { z } from 'zod';
import type { CommandResult, CommandSpec } from '../exec/run-command.js';
import type { HttpClient } from '../http/client.js';

/**
 * The check-kind seam. A kind is one folder under src/checks/ plus one line in registry.ts: its
 * own plan keys (schema), a pure normalise step, one `measure()` that returns a kind-neutral
 * measurement, and a one-line description. Everything downstream (engine, events, state,
 * reporters, notifications) sees only measurements and outcomes, never a kind's own fields.
 */
export type Outcome = 'pass' | 'fail' | 'inconclusive' | 'error';

export interface Measurement {
  /** What conditions see as `result`: number | string | boolean | list | JSON object; null = no data. */
  value: unknown;
  /** Short human form for output, e.g. "0.034", "HTTP 503 in 12ms", "exit 1". */
  display: string;
  /** Set when nothing could be measured (server down, bad query, crashed command): outcome `error`. */
  error?: { kind: string; message: string };
  /**
   * The kind's own judgement, used before any `pass:`/`fail:` condition (HTTP status rules, exit 0/1).
   * `inconclusive`: the kind could not decide on what it measured (a comparison short of samples).
   */
  verdict?: 'pass' | 'fail' | 'inconclusive';
  /** Why, in words, when the kind judged fail (e.g. `HTTP 503: {"verdict":"p95 395ms"}`), redacted later. */
  reason?: string;
  /** A short word for why, with `reason` (http: status, body, latency, refused, timeout, dns, tls, …). */
  reasonKind?: string;
  /** True when the source answered but had no data (Prometheus empty vector). */
  noData?: boolean;
  /**
   * The kind's own fields, beyond the shared ones (http: `{ status }`). Only the kind gives them a
   * meaning; `check.polled` copies a numeric `status` into its field of that name for 0.1.0's readers.
   */
  detail?: Readonly<Record<string, string | number | boolean | null>>;
  latencyMs: number;
}

/**
 * How readers show a kind's measurement without knowing the kind: what a chart plots when no
 * condition picks a field (`plot`, a path inside `result`), its axis label and unit, and the
 * kind's own verdict in words for a check with no `pass:`/`fail:` condition.
 */
export interface MeasurementPresentation {
  label: string;
  unit: string;
  plot: string[];
  rule: string;
}

/** A `${scope.name}` placeholder, e.g. `${vars.version}` is { scope: 'vars', name: 'version' }. */
export interface PlaceholderRef {
  scope: 'vars' | 'env' | 'stage' | 'args' | 'target';
  name: string;
}

/** What a kind's pure normalise step may use: the plan's values and where the check sits in the file. */
export interface NormaliseContext {
  /** Plan directory (absolute): relative paths in a check resolve against it. */
  dir: string;
  stage: { name: string; index: number } | null;
  /**
   * Replaces `${vars.X}`, `${env.X}`, `${stage.name}` and `${args.X}` in one of the check's values.
   * `escapeValue` makes each substituted value safe for where it goes (the kind decides); `key` is the
   * value's path inside the check, for problems. Unknown names are reported as plan problems.
   */
  substitute(text: string, key: (string | number)[], escapeValue?: (value: string, ref: PlaceholderRef) => string): string;
  /** The same text with `${env.X}` left as written: environment values are often secrets. */
  display(text: string): string;
  /** Per-stage arguments (`with:`), already strings. */
  args: Readonly<Record<string, string>>;
  problem(key: (string | number)[], message: string): void;
}

/** What `prepare` (load time, may do I/O) is given: files and the proxy environment. */
export interface PrepareContext {
  dir: string;
  env: Readonly<Record<string, string | undefined>>;
  problem(key: (string | number)[], message: string): void;
}

/** What `measure()` may touch. The engine passes it; kinds never read process.env themselves. */
export interface MeasureContext {
  /** The environment a deploy command of this stage gets (ROLLOUT_* included). */
  env: Readonly<Record<string, string>>;
  exec: (spec: CommandSpec) => Promise<CommandResult>;
  /** Plan directory: commands run here. */
  dir: string;
  killGraceMs: number;
  /** The check's `timeout:` in ms: `measure()` must settle within it. */
  timeoutMs: number;
  /** The one HTTP client (proxies, TLS trust, pooled connections) for kinds that speak HTTP. */
  http: HttpClient;
  /** Epoch ms from the engine's clock (e.g. a Prometheus query's `time`). */
  now(): number;
  /**
   * Where this measurement falls in the soak, when it is one: the window so far starts at
   * `soakStartedAt`; it is look `index` of the `count` the soak holds (comparisons spend their error
   * rate over the looks).
   */
  look?: { index: number; count: number; soakStartedAt: number; intervalMs: number };
}

export interface CheckKind<Raw, Spec extends { kind: string }> {
  type: string;
  /** The kind's own keys; the shared check keys are added by the plan schema. */
  schema: z.ZodObject<z.ZodRawShape>;
  normalise(raw: Raw, ctx: NormaliseContext): Spec;
  /** Load-time step allowed to read files and the environment (CA files, proxy choice). */
  prepare?(spec: Spec, ctx: PrepareContext): Spec;
  measure(spec: Spec, ctx: MeasureContext, signal: AbortSignal): Promise<Measurement>;
  /** How reporters and the report show this kind's measurements. */
  presentation: MeasurementPresentation;
  /** One line: "GET https://canary/status", "run: ./smoke.sh". Never contains `${env.X}` values. */
  describe(spec: Spec): string;
  /**
   * The entry point the check reaches (e.g. a URL), when it goes through one: `rollout plan`
   * warns when every stage watches only the same one, since it may rarely reach the new slice.
   */
  entryPoint?(spec: Spec): string | null;
  /** The spec as `rollout plan --json` may print it: no secrets (header values, `${env.X}` values). */
  show?(spec: Spec): Record<string, unknown>;
  /**
   * Defaults of shared settings that differ for this spec, ahead of `defaults.health`: a comparison
   * already waits for enough evidence, so its first fail decides (`failureThreshold: 1`).
   */
  settingDefaults?(spec: Spec): { failureThreshold?: number };
  /** Plan-time warnings (e.g. TLS verification off). */
  warnings?(spec: Spec): string[];
  /**
   * Points a measurement judges by the end of the soak, when the kind accumulates them (a comparison:
   * points per side since the soak began) and how many it needs, for `rollout plan`'s warnings.
   */
  plannedPoints?(spec: Spec, timing: { soakMs: number; intervalMs: number }): { points: number; needed: number; key: string } | null;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds kinds of every Raw/Spec pair
export type AnyCheckKind = CheckKind<any, any>;
