import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CompareSettings, compareDistributions, normaliseCompare, poolPoints } from '../../src/compare/index.js';
import { rankTest, removeOutliers } from '../../src/stats/index.js';

interface OutlierCase {
  name: string;
  values: number[];
  k: number;
  kept: number[];
  pAgainstRamp: number | 'NaN';
}
const cases = JSON.parse(readFileSync(new URL('../fixtures/stats/outliers.json', import.meta.url), 'utf8')) as OutlierCase[];

describe("Tukey's fences, as R keeps x[x >= Q1 - k*IQR & x <= Q3 + k*IQR] (quantile type 7)", () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const kept = removeOutliers(c.values, c.k);
    expect(kept).toEqual(c.kept);
    if (c.pAgainstRamp === 'NaN') return;
    const mean = kept.reduce((s, v) => s + v, 0) / kept.length;
    const ramp = Array.from({ length: 10 }, (_, i) => ((i + 1) * mean) / 5);
    expect(rankTest(kept, ramp, { alternative: 'two.sided', confInt: false }).pValue).toBeCloseTo(c.pAgainstRamp, 9);
  });
});

const settings = (raw: Record<string, unknown> = {}): CompareSettings => {
  const problems: string[] = [];
  const out = normaliseCompare({ baseline: 'b', canary: 'c', ...raw } as never, null, (key, message) => problems.push(`${key.join('.')}: ${message}`));
  expect(problems).toEqual([]);
  return out;
};
const around = (centre: number, n: number) => Array.from({ length: n }, (_, i) => centre * (0.9 + (0.2 * ((i * 7) % n)) / n));

describe('mannWhitney options: outliers and the NaN policy', () => {
  const baseline = around(10, 40);
  // 10 % slower, and three GC pauses of a second.
  const canary = [...around(11, 37), 1000, 1200, 900];

  it('outliers: iqr keeps three spikes from making a 10 % slowdown look like an 8× one; off by default', () => {
    const plain = compareDistributions(baseline, canary, settings(), { index: 5, count: 10 });
    expect(plain.outcome).toBe('fail');
    expect(plain.detail.effect.value).toBeGreaterThan(8);
    const fenced = compareDistributions(baseline, canary, settings({ outliers: 'iqr' }), { index: 5, count: 10 });
    expect(fenced.outcome).toBe('pass');
    expect(fenced.detail.effect.value).toBeCloseTo(1.1, 1);
    expect(fenced.detail.canary).toMatchObject({ n: 37 });
    expect(fenced.reason).toContain('(IQR outliers removed: canary 3, baseline 0)');
  });

  it('nan: remove (default) leaves a NaN point out, so a side short of points is inconclusive; nan: zero reads it as 0', () => {
    const gappy = [...around(10, 30), ...Array.from({ length: 10 }, () => Number.NaN)];
    const removed = compareDistributions(baseline, gappy, settings({ minSamples: 35 }), { index: 5, count: 10 });
    expect(removed).toMatchObject({ outcome: 'inconclusive', display: 'canary 30 of 35 points (minSamples)' });
    const zero = compareDistributions(baseline, gappy, settings({ minSamples: 35, nan: 'zero' }), { index: 5, count: 10 });
    expect(zero.detail.canary).toMatchObject({ n: 40 });
    expect((zero.detail.canary as { mean: number }).mean).toBeCloseTo(7.5, 1);
    expect(zero.outcome).not.toBe('inconclusive');
    // The metric seam keeps NaN points for the policy to see.
    const series = [{ points: [[0, 1] as const, [1, Number.NaN] as const] }];
    expect(poolPoints(series)).toEqual([1]);
    expect(poolPoints(series, true)).toEqual([1, Number.NaN]);
  });

  it('both are refused on a count method', () => {
    const problems: string[] = [];
    normaliseCompare(
      { method: 'fisher', baseline: { errors: 'e', total: 't' }, canary: { errors: 'e', total: 't' }, outliers: 'iqr', nan: 'zero' },
      null,
      (key, message) => problems.push(`${key.join('.')}: ${message}`),
    );
    expect(problems).toEqual([
      'compare.outliers: applies to mannWhitney (points), not to counts',
      'compare.nan: applies to mannWhitney (points), not to counts',
    ]);
  });
});
