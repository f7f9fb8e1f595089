import { describe, expect, it } from 'vitest';
import { type CompareSettings, compareCounts, compareDistributions, normaliseCompare } from '../../src/compare/index.js';

const settings = (raw: Record<string, unknown> = {}): CompareSettings => {
  const problems: string[] = [];
  const out = normaliseCompare({ baseline: 'b', canary: 'c', ...raw } as never, null, (key, message) => problems.push(`${key.join('.')}: ${message}`));
  expect(problems).toEqual([]);
  return out;
};
const counts = (raw: Record<string, unknown> = {}) =>
  settings({ method: 'fisher', baseline: { errors: 'e', total: 't' }, canary: { errors: 'e', total: 't' }, ...raw });

/** Deterministic spread around a centre: centre × (0.8 … 1.2). */
const around = (centre: number, n: number, phase = 0) => Array.from({ length: n }, (_, i) => centre * (0.8 + 0.4 * (((i * 7 + phase) % n) / n)));

describe('comparing a distribution (mannWhitney)', () => {
  it('fails a doubled latency, with both sides, the shift and its interval, the p-value and the effect against its bound', () => {
    const verdict = compareDistributions(around(0.012, 40), around(0.024, 40, 3), settings(), { index: 3, count: 10 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.reason).toMatch(
      /^canary higher: canary n=40 median 0\.0239 p95 0\.0281 vs baseline n=40 median 0\.0119 p95 0\.014: shift \+0\.0119 \(98 % CI 0\.0105 to 0\.0134\), p < 0\.001 ≤ 0\.0024 \(look 3 of 10\); mean ratio 2 > 1\.2 allowed$/,
    );
    expect(verdict.detail).toMatchObject({ method: 'mannWhitney', effect: { measure: 'meanRatio', value: 2, allowed: 1.2 }, look: { index: 3, count: 10 } });
  });

  it('passes a shared slowdown (both sides slow) and identical versions', () => {
    expect(compareDistributions(around(0.4, 30), around(0.4, 30, 5), settings(), { index: 1, count: 5 }).outcome).toBe('pass');
    const same = around(0.01, 20);
    const verdict = compareDistributions(same, same, settings(), null);
    expect(verdict).toMatchObject({ outcome: 'pass', detail: { pValue: expect.any(Number), shift: 0 } });
    expect(verdict.reason).toMatch(/^no significant increase: /);
  });

  it('is inconclusive, never a pass, below minSamples on either side', () => {
    const verdict = compareDistributions(around(0.01, 30), [0.01, 0.5, 0.9], settings({ minSamples: 5 }), null);
    expect(verdict).toMatchObject({ outcome: 'inconclusive', display: 'canary 3 of 5 points (minSamples)' });
  });

  it('three separated points against three are not enough by default (Kayenta would call them significant)', () => {
    expect(compareDistributions([1, 2, 3], [7, 8, 9], settings(), null).outcome).toBe('inconclusive');
    // With minSamples lowered, the rank test alone cannot reach 98 % on 3 vs 3 (p = 0.04): a pass, not a false alarm.
    expect(compareDistributions([1, 2, 3], [7, 8, 9], settings({ minSamples: 3 }), null).outcome).toBe('pass');
  });

  it('tolerance: a significant rise within tolerance × the baseline median is no regression', () => {
    const baseline = Array.from({ length: 40 }, (_, i) => 100 + i * 0.1);
    const canary = baseline.map((v) => v + 5);
    expect(compareDistributions(baseline, canary, settings({ effect: { allowed: 1 } }), null).outcome).toBe('fail');
    expect(compareDistributions(baseline, canary, settings({ effect: { allowed: 1 }, tolerance: 0.1 }), null).outcome).toBe('pass');
  });

  it('direction: a drop is the regression for throughput, and CLES measures the effect as "how often is the canary worse"', () => {
    const baseline = around(100, 30);
    const lower = around(60, 30, 2);
    const decrease = settings({ direction: 'decrease', effect: { measure: 'cles', allowed: 0.6 } });
    expect(compareDistributions(baseline, lower, decrease, null)).toMatchObject({ outcome: 'fail', detail: { effect: { measure: 'cles', value: 1 } } });
    // The same drop is no regression when a rise is what hurts.
    expect(compareDistributions(baseline, lower, settings(), null).outcome).toBe('pass');
    expect(compareDistributions(baseline, lower, settings({ direction: 'either' }), null).outcome).toBe('fail');
  });

  it('critical: an effect beyond it fails at the plain level, before the sequential rule allows, never on noise', () => {
    const verdict = compareDistributions(around(1, 10), around(5, 10), settings({ effect: { critical: 3 }, minSamples: 10 }), { index: 1, count: 1000 });
    expect(verdict).toMatchObject({
      outcome: 'fail',
      display: 'n=10 med 4.9 p95 5.71 vs n=10 med 0.98 p95 1.14; +3.92 (CI 3.28–4.56); p<0.001>0.000034; ratio 5≥3 critical',
    });
    expect(compareDistributions(around(1, 10), around(5, 10), settings({ minSamples: 10 }), { index: 1, count: 1000 }).outcome).toBe('pass');
    // Three points a side: a ratio of 5, but p = 0.04 > 0.02: not evidence.
    expect(compareDistributions([1, 1.1, 0.9], [5, 5.5, 4.5], settings({ effect: { critical: 3 }, minSamples: 3 }), null).outcome).toBe('pass');
  });
});

describe('a compared check over a whole soak, on identical versions', () => {
  it('fails in at most 1 − confidence of 400 seeded soaks of 10 looks, with no effect bound to hide behind', () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1664525 + 1013904223) % 4294967296;
      return seed / 4294967296;
    };
    const draw = () => 10 + Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const rules = settings({ confidence: 0.95, minSamples: 5, effect: { allowed: 1 } });
    let alarms = 0;
    for (let trial = 0; trial < 400; trial++) {
      const baseline: number[] = [];
      const canary: number[] = [];
      for (let look = 1; look <= 10; look++) {
        for (let i = 0; i < 5; i++) {
          baseline.push(draw());
          canary.push(draw());
        }
        if (compareDistributions(baseline, canary, rules, { index: look, count: 10 }).outcome === 'fail') {
          alarms++;
          break;
        }
      }
    }
    expect(alarms / 400).toBeLessThanOrEqual(0.05);
  });
});

describe('comparing counts (fisher, twoProportion)', () => {
  it('fails a 5 % error canary against a 0.08 % baseline, with the counts, the shares and the p-value', () => {
    const verdict = compareCounts({ events: 2, total: 2660 }, { events: 7, total: 140 }, counts(), { index: 2, count: 10 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.reason).toBe(
      'canary errors 7/140 vs baseline 2/2,660: 5.0 % vs 0.075 %, p < 0.001 ≤ 0.02 (look 2) (mixture SPRT, valid at every look); difference 4.9 % > 0 % allowed',
    );
  });

  it('within a soak, fails at the second canary error against a baseline with none, at any look of a long soak', () => {
    // 5 s into a soak of 31 looks: 10 req/s to the canary, 190 to the baseline.
    const verdict = compareCounts({ events: 0, total: 950 }, { events: 2, total: 50 }, counts({ minRequests: 20 }), { index: 5, count: 31 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.detail).toMatchObject({ look: { index: 5, count: 31 } });
    expect(verdict.detail.level).toBeCloseTo(0.02, 12);
    expect(verdict.reason).toBe(
      'canary errors 2/50 vs baseline 0/950: 4.0 % vs 0 %, p = 0.0071 ≤ 0.02 (look 5) (mixture SPRT, valid at every look); difference 4.0 % > 0 % allowed',
    );
    // One error is not evidence, however early or late.
    expect(compareCounts({ events: 0, total: 950 }, { events: 1, total: 50 }, counts({ minRequests: 20 }), { index: 30, count: 31 }).outcome).toBe('pass');
  });

  it('passes zero errors on both sides, and is inconclusive below minRequests', () => {
    expect(compareCounts({ events: 0, total: 5000 }, { events: 0, total: 500 }, counts(), null)).toMatchObject({ outcome: 'pass', detail: { pValue: 1 } });
    expect(compareCounts({ events: 0, total: 5000 }, { events: 3, total: 40 }, counts(), null)).toMatchObject({
      outcome: 'inconclusive',
      display: 'canary 40 of 100 requests (minRequests)',
    });
  });

  it('the two-proportion test shows its interval; an allowed difference lets a small significant rise through', () => {
    const verdict = compareCounts({ events: 100, total: 100_000 }, { events: 40, total: 10_000 }, counts({ method: 'twoProportion' }), null);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.reason).toMatch(/two-proportion, 98 % CI 0\.\d+ % to 0\.\d+ %/);
    expect(compareCounts({ events: 100, total: 100_000 }, { events: 40, total: 10_000 }, counts({ effect: { allowed: 0.005 } }), null).outcome).toBe('pass');
  });

  it('twoProportion falls back to Fisher when a cell expects fewer than 5 events, and says so', () => {
    const verdict = compareCounts({ events: 0, total: 300 }, { events: 3, total: 60 }, counts({ method: 'twoProportion', minRequests: 50 }), null);
    expect(verdict.reason).toBe(
      "canary errors 3/60 vs baseline 0/300: 5.0 % vs 0 %, p = 0.0044 ≤ 0.02 (Fisher's exact: too few events for the two-proportion test); difference 5.0 % > 0 % allowed",
    );
  });

  it('refuses a count method given one query, and an effect measure of the other family', () => {
    const problems: string[] = [];
    normaliseCompare({ method: 'fisher', baseline: 'x', canary: 'y', effect: { measure: 'cles' } }, null, (key, message) =>
      problems.push(`${key.join('.')}: ${message}`),
    );
    expect(problems).toEqual([
      'compare.baseline: fisher compares counts: give {errors: <query>, total: <query>}',
      'compare.canary: fisher compares counts: give {errors: <query>, total: <query>}',
      'compare.effect.measure: counts take difference or ratio',
    ]);
  });
});
