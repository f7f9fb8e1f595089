import { type Alternative, commonLanguageEffect, lookAlpha, rankTest, removeOutliers, type Summary, summarise } from '../stats/index.js';
import { briefExplanation } from './explain.js';
import { formatLevel, formatP, formatSigned, formatValue, percent } from './format.js';
import type { CompareSettings } from './settings.js';
import { type Comparison, type Look, undecidedDetail } from './verdict.js';

/**
 * Judges a canary's points against the baseline's over the window so far (method mannWhitney):
 * 1. fewer than `minSamples` points on either side → inconclusive (never a pass);
 * 2. the one-sided rank test of "canary − tolerance × baseline median is above the baseline"
 *    (direction decides the side) at this look's share of alpha (stats/spending.ts);
 * 3. significant and the effect (mean ratio or CLES, oriented so that bigger is worse) beyond
 *    `allowed` → fail; an effect beyond `critical` needs only the look-by-look level 1 − confidence
 *    (not its share of it): a severe regression is not kept waiting for the sequential rule, and still
 *    never fails on a difference the test cannot tell from noise;
 * 4. otherwise pass. The shift shown is the Hodges–Lehmann estimate with its two-sided interval.
 */
export function compareDistributions(rawBaseline: readonly number[], rawCanary: readonly number[], settings: CompareSettings, look: Look | null): Comparison {
  const baseline = cleanPoints(rawBaseline, settings);
  const canary = cleanPoints(rawCanary, settings);
  const b = summarise(baseline);
  const c = summarise(canary);
  const alpha = 1 - settings.confidence;
  const { direction, effect } = settings;
  const detail = undecidedDetail(settings, b, c, look);
  const removed =
    settings.outliers === 'iqr'
      ? ` (IQR outliers removed: canary ${finiteCount(rawCanary, settings) - c.n}, baseline ${finiteCount(rawBaseline, settings) - b.n})`
      : '';
  const sides = `canary n=${c.n} median ${formatValue(c.median)} p95 ${formatValue(c.p95)} vs baseline n=${b.n} median ${formatValue(b.median)} p95 ${formatValue(b.p95)}${removed}`;
  if (c.n < settings.minSamples || b.n < settings.minSamples) {
    detail.short = `${c.n < settings.minSamples ? `canary ${c.n}` : `baseline ${b.n}`} of ${settings.minSamples} points (minSamples)`;
    return { outcome: 'inconclusive', display: detail.short, reason: `not enough data: ${detail.short}; ${sides}`, detail };
  }
  const xs = canary.filter(Number.isFinite);
  const ys = baseline.filter(Number.isFinite);
  const alternative: Alternative = direction === 'increase' ? 'greater' : direction === 'decrease' ? 'less' : 'two.sided';
  const margin = direction === 'either' ? 0 : settings.tolerance * Math.abs(b.median) * (direction === 'increase' ? 1 : -1);
  const test = rankTest(xs, ys, { alternative, mu: margin, confInt: false });
  const shown = rankTest(xs, ys, { alternative: 'two.sided', confLevel: settings.confidence });
  const level = look === null ? alpha : lookAlpha(alpha, look.index, look.count);
  const pValue = Number.isNaN(test.pValue) ? 1 : test.pValue; // everything tied: no evidence of a change
  const value = effectOf(effect.measure, direction, b, c, xs, ys);
  Object.assign(detail, { shift: shown.estimate, interval: shown.confInt, pValue, level, effect: { ...detail.effect, value } });

  const shift =
    shown.estimate === null
      ? ''
      : `shift ${formatSigned(shown.estimate)}${shown.confInt ? ` (${percent(settings.confidence)} CI ${formatValue(shown.confInt[0])} to ${formatValue(shown.confInt[1])})` : ''}, `;
  const lookText = look === null ? '' : ` (look ${look.index} of ${look.count})`;
  const evidence = `${formatP(pValue)} ${pValue <= level ? '≤' : '>'} ${formatLevel(level)}${lookText}`;
  const effectText = `${effect.measure === 'meanRatio' ? 'mean ratio' : 'CLES'} ${formatValue(value)}`;
  const significant = pValue <= level;
  const critical = effect.critical !== null && value >= effect.critical && pValue <= alpha;
  const because = `${sides}: ${shift}${evidence}`;
  if (critical) {
    const reason = `canary ${worse(direction)}: ${because}; ${effectText} ≥ ${formatValue(effect.critical as number)} critical`;
    return { outcome: 'fail', display: briefExplanation(detail, 'fail'), reason, detail };
  }
  if (significant && value > effect.allowed) {
    const reason = `canary ${worse(direction)}: ${because}; ${effectText} > ${formatValue(effect.allowed)} allowed`;
    return { outcome: 'fail', display: briefExplanation(detail, 'fail'), reason, detail };
  }
  const why = significant ? `${effectText} ≤ ${formatValue(effect.allowed)} allowed` : `no significant ${direction === 'either' ? 'change' : direction}`;
  const reason = `${why}: ${because}; ${effectText}`;
  return { outcome: 'pass', display: briefExplanation(detail, 'pass'), reason, detail };
}

/** The NaN policy (removed, or read as 0), then Tukey's fences when `outliers: iqr`: the points judged. */
function cleanPoints(points: readonly number[], settings: CompareSettings): number[] {
  const finite = (settings.nan === 'zero' ? points.map((v) => (Number.isNaN(v) ? 0 : v)) : points).filter(Number.isFinite);
  return settings.outliers === 'iqr' ? removeOutliers(finite) : finite;
}

function finiteCount(points: readonly number[], settings: CompareSettings): number {
  return points.filter((v) => Number.isFinite(v) || (settings.nan === 'zero' && Number.isNaN(v))).length;
}

function worse(direction: CompareSettings['direction']): string {
  return direction === 'increase' ? 'higher' : direction === 'decrease' ? 'lower' : 'different';
}

/** Oriented so that a bigger value is a worse canary. */
function effectOf(measure: string, direction: CompareSettings['direction'], b: Summary, c: Summary, xs: number[], ys: number[]): number {
  if (measure === 'cles') {
    const above = commonLanguageEffect(xs, ys);
    return direction === 'increase' ? above : direction === 'decrease' ? 1 - above : Math.max(above, 1 - above);
  }
  const ratio = b.mean === 0 ? (c.mean === 0 ? 1 : Number.POSITIVE_INFINITY) : c.mean / b.mean;
  if (direction === 'increase') return ratio;
  const inverse = c.mean === 0 ? (b.mean === 0 ? 1 : Number.POSITIVE_INFINITY) : b.mean / c.mean;
  return direction === 'decrease' ? inverse : Math.max(ratio, inverse);
}
