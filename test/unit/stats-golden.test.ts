import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Alternative, fisherTest, pnorm, proportionTest, qnorm, rankTest, summarise } from '../../src/stats/index.js';

/**
 * src/stats against R: every expected number below was computed by R (scripts/stats-golden.R wrote
 * test/fixtures/stats/*.json; rerun it to regenerate). Numbers are read back from R's own JSON:
 * "NaN", "Inf" and "-Inf" are strings there.
 */
type Num = number | 'NaN' | 'Inf' | '-Inf';
const fixture = <T>(name: string): T[] => JSON.parse(readFileSync(new URL(`../fixtures/stats/${name}.json`, import.meta.url), 'utf8')) as T[];
const n = (v: Num): number => (v === 'NaN' ? Number.NaN : v === 'Inf' ? Number.POSITIVE_INFINITY : v === '-Inf' ? Number.NEGATIVE_INFINITY : v);
const list = (v: Num[]): number[] => v.map(n);

/** Equal within `rel` relative (or `abs` absolute near 0); NaN equals NaN, infinities must match. */
function close(actual: number | null | undefined, expected: number, rel: number, abs = rel): void {
  if (Number.isNaN(expected)) return void expect(actual).toBeNaN();
  if (!Number.isFinite(expected)) return void expect(actual).toBe(expected);
  expect(typeof actual).toBe('number');
  const tolerance = Math.max(abs, rel * Math.abs(expected));
  expect(Math.abs((actual as number) - expected), `${actual} vs R's ${expected}`).toBeLessThanOrEqual(tolerance);
}

interface RankCase {
  name: string;
  x: Num[];
  y: Num[];
  mu: number;
  alternative: Alternative;
  confLevel: number;
  statistic: number;
  pValue: Num;
  interval: { estimate: number; confInt: [Num, Num] } | { error: string };
}

describe('Mann-Whitney U / Hodges-Lehmann, as R wilcox.test(conf.int = TRUE, exact = FALSE, correct = TRUE)', () => {
  it.each(fixture<RankCase>('wilcox').map((c) => [c.name, c] as const))('%s', (_, c) => {
    const result = rankTest(list(c.x), list(c.y), { mu: c.mu, alternative: c.alternative, confLevel: c.confLevel });
    expect(result.statistic).toBe(c.statistic);
    close(result.pValue, n(c.pValue), 1e-9, 1e-15);
    if ('error' in c.interval) {
      // R stops here. Ours: one difference for everything (constant or single points), or none with an infinite value.
      if (result.estimate !== null) expect(result.confInt).toEqual([result.estimate, result.estimate]);
      return;
    }
    // The bounds are roots of a step function found by R's uniroot (tol 1e-4); ours takes R's steps.
    const scale = Math.max(1, ...list(c.x).filter(Number.isFinite).map(Math.abs));
    close(result.estimate, c.interval.estimate, 1e-9, 2e-4 * scale);
    close(result.confInt?.[0], n(c.interval.confInt[0]), 1e-9, 2e-4 * scale);
    close(result.confInt?.[1], n(c.interval.confInt[1]), 1e-9, 2e-4 * scale);
  });
});

interface CountCase {
  name: string;
  a: { events: number; total: number };
  b: { events: number; total: number };
  alternative: Alternative;
  fisherP: number;
  prop: { statistic: Num; pValue: Num; confInt: [Num, Num]; confLevel: number };
}

describe('counts: R fisher.test and prop.test(correct = TRUE)', () => {
  it.each(fixture<CountCase>('counts').map((c) => [`${c.name} (${c.alternative})`, c] as const))('%s', (_, c) => {
    close(fisherTest(c.a, c.b, c.alternative), c.fisherP, 1e-7, 1e-15);
    const prop = proportionTest(c.a, c.b, c.alternative, c.prop.confLevel);
    close(prop.statistic, n(c.prop.statistic), 1e-9, 1e-12);
    close(prop.pValue, n(c.prop.pValue), 1e-8, 1e-15);
    close(prop.confInt[0], n(c.prop.confInt[0]), 1e-9, 1e-12);
    close(prop.confInt[1], n(c.prop.confInt[1]), 1e-9, 1e-12);
  });
});

describe('summaries: R mean, median, quantile(0.95) (type 7), sd', () => {
  it.each(fixture<{ values: number[]; n: number; mean: number; median: number; p95: number; sd: number }>('summary').map((c) => [c.values.length, c] as const))(
    '%i values',
    (_, c) => {
      const s = summarise(c.values);
      expect(s.n).toBe(c.n);
      close(s.mean, c.mean, 1e-12);
      close(s.median, c.median, 1e-12);
      close(s.p95, c.p95, 1e-12);
      close(s.sd, c.sd, 1e-12);
    },
  );
});

describe('the normal distribution: R pnorm and qnorm', () => {
  const cases = fixture<{ z?: number; lower?: number; upper?: number; p?: number; q?: number }>('normal');
  it.each(cases.filter((c) => c.z !== undefined).map((c) => [c.z as number, c] as const))('pnorm(%d)', (z, c) => {
    close(pnorm(z), c.lower as number, 1e-12, 1e-300);
    close(pnorm(z, false), c.upper as number, 1e-12, 1e-300);
  });
  it.each(cases.filter((c) => c.p !== undefined).map((c) => [c.p as number, c] as const))('qnorm(%d)', (p, c) => {
    close(qnorm(p), c.q as number, 1e-12, 1e-12);
  });
});
