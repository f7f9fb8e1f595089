import { z } from 'zod';
import { interval, wholeNumber } from '../plan/schema-parts.js';

/**
 * The `compare:` block a metric check may carry instead of one query and a condition: how the canary
 * is judged against its baseline. Kind-neutral: the queries are text in the kind's own language
 * (PromQL for `type: prometheus`); this module only says what each side must measure.
 */
const counts = z
  .object({
    errors: z.string().min(1).describe('Query for the cumulative count of bad events (a counter such as errors), one series per instance.'),
    total: z.string().min(1).describe('Query for the cumulative count of all events (requests), one series per instance.'),
  })
  .strict();
const side = z.union([z.string().min(1), counts]);

const fraction = z.number().gt(0, { message: 'must be between 0 and 1' }).lt(1, { message: 'must be between 0 and 1' });

export const compareShape = z
  .object({
    method: z
      .enum(['mannWhitney', 'fisher', 'twoProportion'])
      .optional()
      .describe('mannWhitney (default): distributions of a value over time, e.g. latency; fisher or twoProportion: errors out of requests, on the counts.'),
    baseline: side.describe('The baseline side: a query (mannWhitney) or {errors, total} counter queries (fisher, twoProportion).'),
    canary: side.describe('The canary side, the same shape as baseline.'),
    step: interval.optional().describe('Resolution of the range query: one point per step. Default: the check’s interval.'),
    direction: z.enum(['increase', 'decrease', 'either']).optional().describe('Which change is a regression. Default increase.'),
    confidence: fraction.optional().describe('Confidence of the test over the whole soak (alpha = 1 − confidence, spent over the looks). Default 0.98.'),
    tolerance: z.number().min(0).optional().describe('mannWhitney: shifts up to this fraction of the baseline median are no regression. Default 0.'),
    effect: z
      .object({
        measure: z.enum(['meanRatio', 'cles', 'difference', 'ratio']).optional(),
        allowed: z.number().optional(),
        critical: z.number().optional(),
      })
      .strict()
      .optional()
      .describe(
        'Effect size: a significant change fails only beyond `allowed`; one beyond `critical` fails at the plain level 1 − confidence, without waiting for the sequential rule. mannWhitney: meanRatio (default, allowed 1.2) or cles; counts: difference (default, allowed 0) or ratio.',
      ),
    outliers: z
      .enum(['none', 'iqr'])
      .optional()
      .describe("mannWhitney: iqr drops each side's points beyond Tukey's fences (1.5 × IQR outside the quartiles) before judging. Default none."),
    nan: z
      .enum(['remove', 'zero'])
      .optional()
      .describe('mannWhitney: a NaN point (0/0: a ratio with no traffic) is no data and removed (default), or read as 0.'),
    minSamples: wholeNumber(1).optional().describe('mannWhitney: points needed on each side; fewer is inconclusive, never a pass. Default 10.'),
    minRequests: wholeNumber(1).optional().describe('Counts: events (requests) needed on each side; fewer is inconclusive. Default 100.'),
  })
  .strict();

export type RawCompare = z.infer<typeof compareShape>;

/**
 * The rules of a comparison without the sides' queries, for a kind whose one measurement yields both
 * sides (a `command` check printing them): everything in `compareShape` but `baseline`, `canary`, `step`.
 */
export const compareRulesShape = compareShape.omit({ baseline: true, canary: true, step: true });
export type RawCompareRules = z.infer<typeof compareRulesShape>;
export type Method = 'mannWhitney' | 'fisher' | 'twoProportion';
export type Direction = 'increase' | 'decrease' | 'either';
export type EffectMeasure = 'meanRatio' | 'cles' | 'difference' | 'ratio';

/** A side's queries: one for a distribution, two counters for counts. */
export type SideQuery = string | { errors: string; total: string };

export interface CompareSettings {
  method: Method;
  direction: Direction;
  confidence: number;
  tolerance: number;
  effect: { measure: EffectMeasure; allowed: number; critical: number | null };
  minSamples: number;
  minRequests: number;
  /** mannWhitney: drop points beyond Tukey's fences first. */
  outliers: 'none' | 'iqr';
  /** mannWhitney: a NaN point is removed, or read as 0. */
  nan: 'remove' | 'zero';
  /** ms; null: the check's interval. */
  stepMs: number | null;
}

export const COMPARE_DEFAULTS = { confidence: 0.98, minSamples: 10, minRequests: 100 } as const;

/** Defaults applied; problems (a count method with a single query, an effect measure of the other family) reported by key. */
export function normaliseCompare(
  raw: RawCompareRules & Partial<Pick<RawCompare, 'baseline' | 'canary'>>,
  stepMs: number | null,
  problem: (key: (string | number)[], message: string) => void,
): CompareSettings {
  const method = raw.method ?? 'mannWhitney';
  const isCounts = method !== 'mannWhitney';
  for (const key of ['baseline', 'canary'] as const) {
    const query = raw[key];
    if (query === undefined) continue;
    if (isCounts && typeof query === 'string') problem(['compare', key], `${method} compares counts: give {errors: <query>, total: <query>}`);
    if (!isCounts && typeof query !== 'string') problem(['compare', key], 'mannWhitney compares a distribution: give one query (or method: fisher for counts)');
  }
  const measure = raw.effect?.measure ?? (isCounts ? 'difference' : 'meanRatio');
  if (isCounts !== (measure === 'difference' || measure === 'ratio'))
    problem(['compare', 'effect', 'measure'], isCounts ? 'counts take difference or ratio' : 'mannWhitney takes meanRatio or cles');
  const allowed = raw.effect?.allowed ?? { meanRatio: 1.2, cles: 0.6, difference: 0, ratio: 1 }[measure];
  const critical = raw.effect?.critical ?? null;
  if (critical !== null && critical < allowed) problem(['compare', 'effect', 'critical'], `must be at least allowed (${allowed})`);
  if (isCounts && raw.tolerance !== undefined) problem(['compare', 'tolerance'], 'applies to mannWhitney; for counts use effect.allowed');
  for (const key of ['outliers', 'nan'] as const)
    if (isCounts && raw[key] !== undefined) problem(['compare', key], 'applies to mannWhitney (points), not to counts');
  return {
    method,
    direction: raw.direction ?? 'increase',
    confidence: raw.confidence ?? COMPARE_DEFAULTS.confidence,
    tolerance: raw.tolerance ?? 0,
    effect: { measure, allowed, critical },
    minSamples: raw.minSamples ?? COMPARE_DEFAULTS.minSamples,
    minRequests: raw.minRequests ?? COMPARE_DEFAULTS.minRequests,
    outliers: raw.outliers ?? 'none',
    nan: raw.nan ?? 'remove',
    stepMs,
  };
}
