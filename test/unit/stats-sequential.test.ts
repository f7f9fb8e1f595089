import { describe, expect, it } from 'vitest';
import { fisherTest, lookAlpha, pocockSpent, rankTest } from '../../src/stats/index.js';
import { seededRandom as random } from '../helpers/seeded-random.js';

function normal(next: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

const LOOKS = 10;
const PER_LOOK = 5;

/** One soak: both sides get PER_LOOK new points per look; returns the first look that rejects, or null. */
function soak(draw: () => number, shift: number, rule: (look: number) => number): number | null {
  const canary: number[] = [];
  const baseline: number[] = [];
  for (let look = 1; look <= LOOKS; look++) {
    for (let i = 0; i < PER_LOOK; i++) {
      canary.push(draw() + shift);
      baseline.push(draw());
    }
    const { pValue } = rankTest(canary, baseline, { alternative: 'greater', confInt: false });
    if (pValue <= rule(look)) return look;
  }
  return null;
}

describe('the sequential rule holds the false-alarm rate over repeated looks', () => {
  const alpha = 0.05;
  const trials = 2000;

  it('spends exactly alpha over the soak, more of it early (Pocock shape)', () => {
    const shares = Array.from({ length: LOOKS }, (_, k) => lookAlpha(alpha, k + 1, LOOKS));
    expect(shares.reduce((s, v) => s + v, 0)).toBeCloseTo(alpha, 12);
    expect(shares[0]).toBeGreaterThan(shares[LOOKS - 1] as number);
    expect(lookAlpha(alpha, LOOKS + 1, LOOKS)).toBe(0);
    expect(pocockSpent(alpha, 2)).toBe(alpha);
  });

  it(`on identical versions (${trials} seeded soaks of ${LOOKS} looks): at most alpha, where testing each look at alpha is not`, () => {
    const draw = normal(random(19));
    let sequential = 0;
    let naive = 0;
    for (let t = 0; t < trials; t++) {
      const seed = Math.floor(draw() * 1e9);
      // The same data judged by both rules.
      const again = normal(random(seed));
      const replay = normal(random(seed));
      if (soak(again, 0, (look) => lookAlpha(alpha, look, LOOKS)) !== null) sequential++;
      if (soak(replay, 0, () => alpha) !== null) naive++;
    }
    const standardError = Math.sqrt((alpha * (1 - alpha)) / trials);
    expect(sequential / trials).toBeLessThanOrEqual(alpha + 2 * standardError);
    // Looking ten times at 5 % each raises the false-alarm rate well above 5 %: the reason for the rule.
    expect(naive / trials).toBeGreaterThan(2 * alpha);
  });

  it('still catches a one-standard-deviation rise, mostly in the first half of the soak', () => {
    const draw = normal(random(7));
    const decided: number[] = [];
    for (let t = 0; t < 300; t++) {
      const look = soak(draw, 1, (k) => lookAlpha(alpha, k, LOOKS));
      if (look !== null) decided.push(look);
    }
    expect(decided.length / 300).toBeGreaterThan(0.95);
    const sorted = [...decided].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThanOrEqual(LOOKS / 2);
  });

  it('on counts: a 5 % error canary against 0.1 % is caught within the first looks; equal rates raise no alarm', () => {
    const next = random(5);
    const binomial = (n: number, p: number) => {
      let k = 0;
      for (let i = 0; i < n; i++) if (next() < p) k++;
      return k;
    };
    let alarms = 0;
    const firstLooks: number[] = [];
    for (let t = 0; t < 200; t++) {
      const bad = { canary: { events: 0, total: 0 }, baseline: { events: 0, total: 0 } };
      const same = { canary: { events: 0, total: 0 }, baseline: { events: 0, total: 0 } };
      let caught: number | null = null;
      for (let look = 1; look <= LOOKS; look++) {
        // 10 req/s to the canary, 190 req/s to the baseline, one look per second.
        bad.canary.events += binomial(10, 0.05);
        bad.canary.total += 10;
        bad.baseline.events += binomial(190, 0.001);
        bad.baseline.total += 190;
        same.canary.events += binomial(10, 0.01);
        same.canary.total += 10;
        same.baseline.events += binomial(190, 0.01);
        same.baseline.total += 190;
        const level = lookAlpha(alpha, look, LOOKS);
        if (caught === null && fisherTest(bad.canary, bad.baseline, 'greater') <= level) caught = look;
        if (fisherTest(same.canary, same.baseline, 'greater') <= level) {
          alarms++;
          break;
        }
      }
      if (caught !== null) firstLooks.push(caught);
    }
    expect(alarms / 200).toBeLessThanOrEqual(alpha);
    expect(firstLooks.length / 200).toBeGreaterThan(0.6);
  });
});
