import { pnorm, qnorm } from './normal.js';
import { averageRanks, tieSum } from './rank.js';
import { zeroin } from './zeroin.js';

export type Alternative = 'two.sided' | 'greater' | 'less';

export interface RankTestOptions {
  /** The shift tested against: H0 is "x − mu and y have the same location". Default 0. */
  mu?: number;
  alternative?: Alternative;
  /** Of the Hodges–Lehmann interval. Default 0.95. */
  confLevel?: number;
  /** Compute the shift and its interval (the costly part). Default true. */
  confInt?: boolean;
}

export interface RankTestResult {
  nx: number;
  ny: number;
  /** W = U of x: pairs with x − mu above y, ties counted half. */
  statistic: number;
  /** NaN when every observation is tied (nothing to rank). */
  pValue: number;
  /** Hodges–Lehmann shift of x over y; null when it cannot be computed (all tied). */
  estimate: number | null;
  /** Its confidence interval at `confLevel` for `alternative` (one side infinite when one-sided). */
  confInt: [number, number] | null;
}

/**
 * The Wilcoxon–Mann–Whitney two-sample test with the normal approximation, tie correction and
 * continuity correction, and the Hodges–Lehmann shift with its interval — what R's
 * `wilcox.test(x, y, mu, alternative, conf.int = TRUE, exact = FALSE, correct = TRUE, conf.level)`
 * computes, step for step (golden cases in test/fixtures/stats). NaN values are dropped, as R
 * drops NA; ±Inf are ranked. Where R stops with an error (all pairwise differences equal, so its
 * root search has an empty range) this gives that one difference as both estimate and bounds; with
 * an infinite value there is no interval (null).
 */
export function rankTest(xs: readonly number[], ys: readonly number[], options: RankTestOptions = {}): RankTestResult {
  const mu = options.mu ?? 0;
  const alternative = options.alternative ?? 'two.sided';
  const confLevel = options.confLevel ?? 0.95;
  const x = xs.filter((v) => !Number.isNaN(v));
  const y = ys.filter((v) => !Number.isNaN(v));
  const nx = x.length;
  const ny = y.length;
  if (nx === 0 || ny === 0) return { nx, ny, statistic: Number.NaN, pValue: Number.NaN, estimate: null, confInt: null };

  const statistic = wOf(x, y, mu);
  const z = zOf(statistic, [...x.map((v) => v - mu), ...y], nx, ny, alternative, true);
  const pValue = alternative === 'less' ? pnorm(z) : alternative === 'greater' ? pnorm(z, false) : 2 * Math.min(pnorm(z), pnorm(z, false));

  if (options.confInt === false) return { nx, ny, statistic, pValue, estimate: null, confInt: null };
  const { estimate, confInt } = hodgesLehmann(x, y, alternative, confLevel);
  return { nx, ny, statistic, pValue, estimate, confInt };
}

function wOf(x: readonly number[], y: readonly number[], d: number): number {
  const ranks = averageRanks([...x.map((v) => v - d), ...y]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += ranks[i] as number;
  return sum - (x.length * (x.length + 1)) / 2;
}

/** The standardised statistic (ranked values given, for their ties); NaN when sigma is 0. */
function zOf(w: number, pooled: number[], nx: number, ny: number, alternative: Alternative, correct: boolean): number {
  const centred = w - (nx * ny) / 2;
  const n = nx + ny;
  const sigma = Math.sqrt(((nx * ny) / 12) * (n + 1 - tieSum(pooled) / (n * (n - 1))));
  const correction = !correct ? 0 : alternative === 'two.sided' ? Math.sign(centred) * 0.5 : alternative === 'greater' ? 0.5 : -0.5;
  return (centred - correction) / sigma;
}

const ROOT_TOLERANCE = 1e-4;

function hodgesLehmann(x: number[], y: number[], alternative: Alternative, confLevel: number): Pick<RankTestResult, 'estimate' | 'confInt'> {
  const nx = x.length;
  const ny = y.length;
  const alpha = 1 - confLevel;
  const lowest = Math.min(...x) - Math.max(...y);
  const highest = Math.max(...x) - Math.min(...y);
  if (!Number.isFinite(lowest) || !Number.isFinite(highest)) return { estimate: null, confInt: null };
  if (!(lowest < highest)) return { estimate: lowest, confInt: [lowest, lowest] };
  // Below, lowest < highest: not every value is tied, so sigma > 0 at every shift.
  const wdiff = (d: number, zq: number, correct: boolean): number => {
    const shifted = [...x.map((v) => v - d), ...y];
    const w = wOf(x, y, d);
    return zOf(w, shifted, nx, ny, alternative, correct) - zq;
  };
  const root = (zq: number): number => {
    const fLower = wdiff(lowest, zq, true);
    const fUpper = wdiff(highest, zq, true);
    if (fLower <= 0) return lowest;
    if (fUpper >= 0) return highest;
    return zeroin((d) => wdiff(d, zq, true), lowest, highest, fLower, fUpper, ROOT_TOLERANCE);
  };
  let confInt: [number, number];
  if (alternative === 'two.sided') confInt = [root(qnorm(alpha / 2, false)), root(qnorm(alpha / 2))];
  else if (alternative === 'greater') confInt = [root(qnorm(alpha, false)), Number.POSITIVE_INFINITY];
  else confInt = [Number.NEGATIVE_INFINITY, root(qnorm(alpha))];
  const fLower = wdiff(lowest, 0, false);
  const fUpper = wdiff(highest, 0, false);
  const estimate = zeroin((d) => wdiff(d, 0, false), lowest, highest, fLower, fUpper, ROOT_TOLERANCE);
  return { estimate, confInt };
}
