import { type Alternative, type Count, fisherTest, mixtureCountTest, proportionTest } from '../stats/index.js';
import { briefExplanation } from './explain.js';
import { formatCount, formatLevel, formatP, formatShare, formatValue, percent } from './format.js';
import type { CompareSettings } from './settings.js';
import { type Comparison, type CountSummary, type Look, undecidedDetail } from './verdict.js';

/**
 * Judges errors out of requests, on the counts over the window so far (method fisher or
 * twoProportion) — never on per-interval rates, which sparse errors make meaningless:
 * 1. fewer than `minRequests` on either side → inconclusive (never a pass);
 * 2. within a soak (a look), the mixture SPRT on the errors' sides (stats/mixture-sprt.ts): its
 *    p-value is valid at every look, so each look tests at 1 − confidence; without a look (a single
 *    reading), Fisher's exact test (or the two-proportion test) of "the canary's share is higher";
 * 3. significant and the effect (difference of shares, or their ratio) beyond `allowed` → fail;
 *    beyond `critical` as well (the same level: the sequential test has no per-look share to skip);
 * 4. otherwise pass. No error on either side is a pass with p = 1.
 */
export function compareCounts(baseline: Count, canary: Count, settings: CompareSettings, look: Look | null): Comparison {
  const { direction, effect } = settings;
  const b = countSummary(baseline);
  const c = countSummary(canary);
  const alpha = 1 - settings.confidence;
  const detail = undecidedDetail(settings, b, c, look);
  const sides = `canary errors ${formatCount(c.events)}/${formatCount(c.total)} vs baseline ${formatCount(b.events)}/${formatCount(b.total)}`;
  if (c.total < settings.minRequests || b.total < settings.minRequests) {
    detail.short = `${c.total < settings.minRequests ? `canary ${formatCount(c.total)}` : `baseline ${formatCount(b.total)}`} of ${formatCount(settings.minRequests)} requests (minRequests)`;
    return { outcome: 'inconclusive', display: detail.short, reason: `not enough traffic: ${detail.short}; ${sides}`, detail };
  }
  const alternative: Alternative = direction === 'increase' ? 'greater' : direction === 'decrease' ? 'less' : 'two.sided';
  const prop = proportionTest(canary, baseline, alternative, settings.confidence);
  // The interval shown is two-sided whatever the test's side: a one-sided one ends at 100 %.
  const shown = proportionTest(canary, baseline, 'two.sided', settings.confidence);
  // The chi-squared approximation behind the two-proportion test fails when a cell expects fewer than
  // 5 events (R warns); its p-value and interval then disagree. Fisher's exact test decides instead.
  const exact = settings.method === 'fisher' || smallestExpected(canary, baseline) < 5;
  const raw = look !== null ? mixtureCountTest(canary, baseline, alternative).pValue : exact ? fisherTest(canary, baseline, alternative) : prop.pValue;
  const pValue = Number.isNaN(raw) ? 1 : raw; // no error anywhere: nothing to tell apart
  const level = alpha;
  const difference = c.share - b.share;
  const ratio = b.share === 0 ? (c.share === 0 ? 1 : Number.POSITIVE_INFINITY) : c.share / b.share;
  const value = effectOf(effect.measure, direction, difference, ratio);
  Object.assign(detail, { shift: difference, interval: shown.confInt, pValue, level, effect: { ...detail.effect, value } });

  const lookText = look === null ? '' : ` (look ${look.index})`;
  const shares = `${formatShare(c.share)} vs ${formatShare(b.share)}`;
  const evidence = `${formatP(pValue)} ${pValue <= level ? '≤' : '>'} ${formatLevel(level)}${lookText}`;
  const effectText = effect.measure === 'ratio' ? `ratio ${formatValue(value)}` : `difference ${formatShare(value)}`;
  const bound = (limit: number) => (effect.measure === 'ratio' ? formatValue(limit) : formatShare(limit));
  const testName =
    look !== null
      ? 'mixture SPRT, valid at every look'
      : settings.method === 'fisher'
        ? "Fisher's exact"
        : exact
          ? "Fisher's exact: too few events for the two-proportion test"
          : `two-proportion, ${percent(settings.confidence)} CI ${formatShare(shown.confInt[0])} to ${formatShare(shown.confInt[1])}`;
  const because = `${sides}: ${shares}, ${evidence} (${testName})`;
  if (effect.critical !== null && value >= effect.critical && pValue <= alpha) {
    return {
      outcome: 'fail',
      display: briefExplanation(detail, 'fail'),
      reason: `${because}; ${effectText} ≥ ${bound(effect.critical)} critical`,
      detail,
    };
  }
  if (pValue <= level && value > effect.allowed) {
    return {
      outcome: 'fail',
      display: briefExplanation(detail, 'fail'),
      reason: `${because}; ${effectText} > ${bound(effect.allowed)} allowed`,
      detail,
    };
  }
  const change = { increase: 'rise', decrease: 'drop', either: 'change' }[direction];
  const why = pValue <= level ? `${effectText} ≤ ${bound(effect.allowed)} allowed` : `no significant ${change}`;
  return { outcome: 'pass', display: briefExplanation(detail, 'pass'), reason: `${why}: ${because}`, detail };
}

/** Oriented so that a bigger value is a worse canary. */
function effectOf(measure: string, direction: CompareSettings['direction'], difference: number, ratio: number): number {
  if (measure === 'ratio') return direction === 'increase' ? ratio : direction === 'decrease' ? 1 / ratio : Math.max(ratio, 1 / ratio);
  return direction === 'increase' ? difference : direction === 'decrease' ? -difference : Math.abs(difference);
}

/** The smallest expected cell count of the 2×2 table under "both sides share one rate". */
function smallestExpected(a: Count, b: Count): number {
  const events = a.events + b.events;
  const all = a.total + b.total;
  const share = all === 0 ? 0 : events / all;
  return Math.min(...[a.total, b.total].flatMap((n) => [n * share, n * (1 - share)]));
}

function countSummary(count: Count): CountSummary {
  return { events: count.events, total: count.total, share: count.total === 0 ? Number.NaN : count.events / count.total };
}
