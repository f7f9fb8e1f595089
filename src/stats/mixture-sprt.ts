import type { Count } from './counts.js';
import { logChoose, logGamma } from './gamma.js';
import type { Alternative } from './mann-whitney.js';

export interface MixtureTest {
  /** The mixture likelihood ratio of "the canary's errors are out of proportion" against "in proportion". */
  likelihoodRatio: number;
  /** min(1, 1 / likelihoodRatio): valid at every look, however many (Ville's inequality). */
  pValue: number;
  /** The canary's share of the traffic: its share of the errors when both sides fail alike. */
  share: number;
}

/**
 * The sequential test for errors out of requests (Robbins' mixture SPRT on the errors' sides).
 * If both sides fail at one rate, each error — whenever it happens — is the canary's with
 * probability π, the canary's share of the requests; so given the errors seen, the canary's count
 * is Binomial(errors, π), however the rate moves over time. The alternative is "the canary's share
 * of errors q is above π" with q uniform on [π, 1] (below π for "less", anywhere for "two.sided").
 * The ratio of the two likelihoods, averaged over q, is a martingale with mean 1 while the sides fail
 * alike, so by Ville's inequality it ever reaches 1/α with probability at most α: a check may look
 * after every request, at any interval, for as long as it likes, and stop at the first look over
 * the line. Against a baseline with no errors, two canary errors at 5 % of the traffic give
 * ratio 140 (p = 0.007), where Fisher's test under a 31-look alpha-spending budget needs three.
 * π comes from the window's requests: within a stage the split of traffic is steady.
 */
export function mixtureCountTest(canary: Count, baseline: Count, alternative: Alternative = 'greater'): MixtureTest {
  const share = canary.total / (canary.total + baseline.total);
  const c = wholeEvents(canary);
  const b = wholeEvents(baseline);
  if (c + b === 0 || !(share > 0 && share < 1)) return { likelihoodRatio: 1, pValue: 1, share };
  // ln B(c+1, b+1): the untruncated mixture's integral of q^c (1−q)^b.
  const logBeta = logGamma(c + 1) + logGamma(b + 1) - logGamma(c + b + 2);
  const logNull = c * Math.log(share) + b * Math.log1p(-share);
  // ∫_π^1 q^c (1−q)^b dq = B(c+1, b+1) · P(Binomial(c+b+1, π) ≤ c), and ∫_0^π takes the rest.
  const below = binomialAtMost(c, c + b + 1, share);
  const logMixture =
    alternative === 'greater'
      ? logBeta + Math.log(below) - Math.log1p(-share)
      : alternative === 'less'
        ? logBeta + Math.log(Math.max(0, 1 - below)) - Math.log(share)
        : logBeta;
  const likelihoodRatio = Math.exp(logMixture - logNull);
  return { likelihoodRatio, pValue: Math.min(1, 1 / likelihoodRatio), share };
}

/** Counter growth is whole in principle; a query with `increase()` extrapolates, so round, within the total. */
function wholeEvents(count: Count): number {
  return Math.min(Math.max(0, Math.round(count.events)), Math.max(0, Math.round(count.total)));
}

/** P(X ≤ k) for X ~ Binomial(n, p), summed in logs so thousands of errors do not underflow. */
function binomialAtMost(k: number, n: number, p: number): number {
  let sum = 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  for (let i = 0; i <= k; i++) sum += Math.exp(logChoose(n, i) + i * lp + (n - i) * lq);
  return Math.min(1, sum);
}
