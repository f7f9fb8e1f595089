import type { Summary } from '../stats/index.js';
import { formatCount, formatP, formatShare, formatSigned, formatValue } from './format.js';
import type { ComparisonDetail, CountSummary } from './verdict.js';

/** What the state keeps of a display (src/state/document.ts SUMMARY_TEXT_MAX). */
export const BRIEF_MAX = 112;

/**
 * A decided comparison in one line short enough for the state, a job summary's cell and a
 * webhook's `display`: both sides (n, median, p95 — or errors/requests and the share), the shift
 * or difference with its interval, the p-value against this look's level, and the effect against
 * its bound: `n=40 med 23.9 p95 28.1 vs n=40 med 11.9 p95 14; +11.9 (CI 10.5–13.4); p<0.001≤0.0024;
 * ratio 2>1.2`. The full sentence is the measurement's reason, in the event log. Medians go first
 * when it does not fit, then the line is cut.
 */
export function briefExplanation(detail: ComparisonDetail, outcome: 'pass' | 'fail'): string {
  const isCounts = 'events' in detail.canary;
  const tail = [interval(detail, isCounts), evidence(detail), effect(detail, outcome)].filter((part) => part !== '');
  for (const withMedians of [true, false]) {
    const line = [sides(detail, isCounts, withMedians), ...tail].join('; ');
    if (line.length <= BRIEF_MAX) return line;
  }
  const line = [sides(detail, isCounts, false), ...tail].join('; ');
  return `${line.slice(0, BRIEF_MAX - 1)}…`;
}

function sides(detail: ComparisonDetail, isCounts: boolean, withMedians: boolean): string {
  if (isCounts) {
    const side = (s: CountSummary) => `${formatCount(s.events)}/${formatCount(s.total)} (${formatShare(s.share)})`;
    return `errors ${side(detail.canary as CountSummary)} vs ${side(detail.baseline as CountSummary)}`;
  }
  const side = (s: Summary) => `n=${s.n}${withMedians ? ` med ${formatValue(s.median)}` : ''} p95 ${formatValue(s.p95)}`;
  return `${side(detail.canary as Summary)} vs ${side(detail.baseline as Summary)}`;
}

function interval(detail: ComparisonDetail, isCounts: boolean): string {
  if (detail.shift === null) return '';
  const show = isCounts ? (v: number) => formatShare(v) : formatValue;
  const shift = isCounts ? `${detail.shift > 0 ? '+' : ''}${formatShare(detail.shift)}` : formatSigned(detail.shift);
  return detail.interval ? `${shift} (CI ${show(detail.interval[0])}–${show(detail.interval[1])})` : shift;
}

function evidence(detail: ComparisonDetail): string {
  if (detail.pValue === null || detail.level === null) return '';
  const p = formatP(detail.pValue).replace(' = ', '=').replace(' < ', '<');
  return `${p}${detail.pValue <= detail.level ? '≤' : '>'}${Number(detail.level.toPrecision(2))}`;
}

function effect(detail: ComparisonDetail, outcome: 'pass' | 'fail'): string {
  const { measure, value, allowed, critical } = detail.effect;
  if (value === null) return '';
  const name = { meanRatio: 'ratio', cles: 'CLES', difference: 'diff', ratio: 'ratio' }[measure] ?? measure;
  const show = measure === 'difference' ? formatShare : formatValue;
  if (outcome === 'fail' && critical !== null && value >= critical) return `${name} ${show(value)}≥${show(critical)} critical`;
  return `${name} ${show(value)}${value > allowed ? '>' : '≤'}${show(allowed)}`;
}
