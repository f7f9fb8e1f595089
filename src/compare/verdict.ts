import type { Summary } from '../stats/index.js';
import type { CompareSettings } from './settings.js';

/** Which look at the data this is, out of how many the soak holds (for the sequential rule). */
export interface Look {
  index: number;
  count: number;
}

/**
 * A comparison's verdict and everything it rests on. `outcome` is for the check's tally;
 * `display` is one short line, `reason` the full explanation (both sides, the shift or difference,
 * the p-value against the look's level, the effect against its bound), `detail` the same as data
 * for events and state (small: numbers only, never the series).
 */
export interface Comparison {
  outcome: 'pass' | 'fail' | 'inconclusive';
  display: string;
  reason: string;
  detail: ComparisonDetail;
}

export interface ComparisonDetail {
  method: string;
  direction: string;
  baseline: Summary | CountSummary;
  canary: Summary | CountSummary;
  /** Hodges–Lehmann shift of canary over baseline (mannWhitney) or difference of shares (counts). */
  shift: number | null;
  interval: [number, number] | null;
  confidence: number;
  pValue: number | null;
  /** The level this look may reject at (alpha spent on it). */
  level: number | null;
  look: Look | null;
  effect: { measure: string; value: number | null; allowed: number; critical: number | null };
  /** Why not decided: too few points or requests. */
  short: string | null;
}

export interface CountSummary {
  events: number;
  total: number;
  share: number;
}

/** A comparison's detail before anything is decided: both sides, the settings, no test yet (filled in as the test runs). */
export function undecidedDetail(
  settings: CompareSettings,
  baseline: ComparisonDetail['baseline'],
  canary: ComparisonDetail['canary'],
  look: Look | null,
): ComparisonDetail {
  const { effect } = settings;
  return {
    method: settings.method,
    direction: settings.direction,
    baseline,
    canary,
    shift: null,
    interval: null,
    confidence: settings.confidence,
    pValue: null,
    level: null,
    look,
    effect: { measure: effect.measure, value: null, allowed: effect.allowed, critical: effect.critical },
    short: null,
  };
}
