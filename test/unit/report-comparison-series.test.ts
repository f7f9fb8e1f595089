import { describe, expect, it } from 'vitest';
import type { ComparisonDetail } from '../../src/compare/verdict.js';
import { addLook, comparisonOf, newComparison } from '../../src/report/comparison-series.js';

const counts = (measure: string, allowed: number): ComparisonDetail => ({
  method: 'fisher',
  direction: 'increase',
  baseline: { events: 2, total: 1000, share: 0.002 },
  canary: { events: 5, total: 100, share: 0.05 },
  shift: 0.048,
  interval: [0.01, 0.09],
  confidence: 0.98,
  pValue: 0.001,
  level: 0.02,
  look: { index: 2, count: 5 },
  effect: { measure, value: 0.048, allowed, critical: null },
  short: null,
});

describe("a comparison's looks on the report's chart", () => {
  it('reads a counts comparison as error shares: the interval around the baseline, the band in the share unit', () => {
    const series = newComparison();
    expect(addLook(series, counts('difference', 0.01), 'canary errors 5/100 vs baseline 2/1,000')).toBe(0.05);
    addLook(series, counts('ratio', 2), '');
    expect(series.centre).toBe('error share');
    expect(series.b).toEqual([0.002, 0.002]);
    expect(series.lo[0]).toBeCloseTo(0.012);
    expect(series.hi[0]).toBeCloseTo(0.092);
    expect(series.allowed[0]).toBeCloseTo(0.012);
    expect(series.allowed[1]).toBeCloseTo(0.004);
    // An empty explanation keeps the last one said.
    expect(series.text).toBe('canary errors 5/100 vs baseline 2/1,000');
  });

  it('a CLES bound has no line; no interval (too few points) leaves a gap; empty sides are gaps, not NaN', () => {
    const series = newComparison();
    const detail: ComparisonDetail = {
      ...counts('cles', 0.6),
      method: 'mannWhitney',
      baseline: { n: 0, mean: Number.NaN, median: Number.NaN, p95: Number.NaN, sd: Number.NaN },
      canary: { n: 3, mean: 12, median: 12, p95: 13, sd: 1 },
      interval: null,
    };
    expect(addLook(series, detail, 'too few')).toBe(12);
    expect([series.b[0], series.lo[0], series.hi[0], series.allowed[0]]).toEqual([null, null, null, null]);
  });

  it('knows a comparison by its shape, never by its kind: other values are plotted as before', () => {
    expect(comparisonOf(counts('ratio', 2))).not.toBeNull();
    expect(comparisonOf({ method: 'x', baseline: 1, canary: 2 })).toBeNull();
    expect(comparisonOf(0.01)).toBeNull();
    expect(comparisonOf(null)).toBeNull();
  });
});
