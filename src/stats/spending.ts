/**
 * The sequential rule: a check compares the two sides at every interval of its soak, and looking
 * K times at a test run at level α raises the false-alarm rate far above α. Each look k of K gets
 * its own share of α instead, by the Lan–DeMets Pocock-type spending function
 * f(t) = α · ln(1 + (e − 1)·t): look k may reject only when its p-value is at most
 * f(k/K) − f((k−1)/K). The shares add up to α, so by the union bound the chance of any false alarm
 * over the whole soak is at most α whatever the correlation between looks (conservative, and simple
 * to state). The Pocock shape spends more early than O'Brien–Fleming's, so a clear regression is
 * caught in the first looks. Looks after the K-th spend nothing.
 */
export function pocockSpent(alpha: number, t: number): number {
  const clamped = Math.min(1, Math.max(0, t));
  return alpha * Math.log(1 + (Math.E - 1) * clamped);
}

/** The significance level look `index` (1-based) of `looks` may use. */
export function lookAlpha(alpha: number, index: number, looks: number): number {
  if (looks < 1 || index < 1 || index > looks) return 0;
  return pocockSpent(alpha, index / looks) - pocockSpent(alpha, (index - 1) / looks);
}
