import { describe, expect, it } from 'vitest';
import { fisherTest, lookAlpha, mixtureCountTest } from '../../src/stats/index.js';
import { seededRandom as random } from '../helpers/seeded-random.js';

const ALPHA = 0.02;

describe('the mixture SPRT on errors out of requests', () => {
  it('has the closed form: two canary errors at a 5 % share of the traffic, none on the baseline', () => {
    // ∫_0.05^1 q² dq / 0.95 over 0.05²
    expect(mixtureCountTest({ events: 2, total: 100 }, { events: 0, total: 1900 }).likelihoodRatio).toBeCloseTo((1 - 0.05 ** 3) / 3 / 0.95 / 0.0025, 9);
    expect(mixtureCountTest({ events: 1, total: 100 }, { events: 0, total: 1900 }).likelihoodRatio).toBeCloseTo((1 - 0.05 ** 2) / 2 / 0.95 / 0.05, 9);
    expect(mixtureCountTest({ events: 2, total: 100 }, { events: 0, total: 1900 }, 'two.sided').likelihoodRatio).toBeCloseTo(1 / 3 / 0.0025, 9);
    expect(mixtureCountTest({ events: 0, total: 100 }, { events: 0, total: 1900 }).pValue).toBe(1);
    // Errors in proportion to traffic, or fewer on the canary: no evidence of a rise.
    expect(mixtureCountTest({ events: 5, total: 100 }, { events: 95, total: 1900 }).pValue).toBe(1);
    expect(mixtureCountTest({ events: 0, total: 100 }, { events: 100, total: 1900 }).pValue).toBe(1);
    expect(mixtureCountTest({ events: 0, total: 100 }, { events: 100, total: 1900 }, 'less').pValue).toBeLessThan(0.05);
  });

  it('decides at the second canary error where Fisher under a 31-look spending budget needs a third', () => {
    const canary = (events: number) => ({ events, total: 10 * 5 });
    const baseline = { events: 0, total: 190 * 5 };
    expect(mixtureCountTest(canary(2), baseline).pValue).toBeLessThanOrEqual(ALPHA);
    expect(mixtureCountTest(canary(1), baseline).pValue).toBeGreaterThan(ALPHA);
    expect(fisherTest(canary(2), baseline, 'greater')).toBeGreaterThan(lookAlpha(ALPHA, 1, 31));
    expect(fisherTest(canary(3), baseline, 'greater')).toBeLessThanOrEqual(lookAlpha(ALPHA, 5, 31));
  });

  for (const rate of [0.001, 0.01, 0.05]) {
    it(`holds the false-alarm rate at ${rate * 100} % errors on both sides over 120 looks of 400 seeded soaks`, () => {
      const next = random(Math.round(rate * 1e6));
      const binomial = (n: number, p: number) => {
        let k = 0;
        for (let i = 0; i < n; i++) if (next() < p) k++;
        return k;
      };
      let alarms = 0;
      for (let trial = 0; trial < 400; trial++) {
        const canary = { events: 0, total: 0 };
        const baseline = { events: 0, total: 0 };
        for (let look = 1; look <= 120; look++) {
          canary.events += binomial(10, rate);
          canary.total += 10;
          baseline.events += binomial(190, rate);
          baseline.total += 190;
          // Looking after every second and stopping at the first crossing: what a soak does.
          if (mixtureCountTest(canary, baseline).pValue <= ALPHA) {
            alarms++;
            break;
          }
        }
      }
      expect(alarms / 400).toBeLessThanOrEqual(ALPHA + 2 * Math.sqrt((ALPHA * (1 - ALPHA)) / 400));
    });
  }

  it('catches a 5 % error canary against 0.1 % within seconds in nearly every soak', () => {
    const next = random(99);
    const decided: number[] = [];
    for (let trial = 0; trial < 200; trial++) {
      const canary = { events: 0, total: 0 };
      const baseline = { events: 0, total: 0 };
      for (let look = 1; look <= 30; look++) {
        for (let i = 0; i < 10; i++) if (next() < 0.05) canary.events++;
        for (let i = 0; i < 190; i++) if (next() < 0.001) baseline.events++;
        canary.total += 10;
        baseline.total += 190;
        if (mixtureCountTest(canary, baseline).pValue <= ALPHA) {
          decided.push(look);
          break;
        }
      }
    }
    expect(decided.length / 200).toBeGreaterThan(0.95);
    expect([...decided].sort((a, b) => a - b)[Math.floor(decided.length / 2)]).toBeLessThanOrEqual(6);
  });
});
