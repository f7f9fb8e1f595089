/**
 * The standard normal distribution, accurate to about 1e-14 relative, with no dependency: the
 * p-values and interval bounds of the rank and proportion tests are checked against R to 1e-9.
 * `pnorm` goes through erfc: a positive-term series below x = 2 (no cancellation), a continued
 * fraction above (where 1 − erf would lose the tail). `qnorm` starts from Abramowitz & Stegun
 * 26.2.23 and polishes with Halley steps on `pnorm`.
 */
const SQRT2 = Math.SQRT2;
const SQRT_PI = Math.sqrt(Math.PI);

/** erfc(x) for x >= 0. */
function erfcPositive(x: number): number {
  if (x < 2) {
    // erf(x) = 2/√π · e^{−x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^{−x²}/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))), by the modified Lentz method.
  const tiny = 1e-300;
  let f = x;
  let c = f;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** P(Z <= z), or P(Z > z) with `lowerTail` false; NaN stays NaN. */
export function pnorm(z: number, lowerTail = true): number {
  if (Number.isNaN(z)) return Number.NaN;
  const q = lowerTail ? -z : z; // P = ½·erfc(q/√2)
  if (q === Number.POSITIVE_INFINITY) return 0;
  if (q === Number.NEGATIVE_INFINITY) return 1;
  const x = Math.abs(q) / SQRT2;
  const tail = 0.5 * erfcPositive(x);
  return q >= 0 ? tail : 1 - tail;
}

export function dnorm(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** The z with pnorm(z) = p (lower tail), or pnorm(z, false) = p. */
export function qnorm(p: number, lowerTail = true): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  const lower = lowerTail ? p : 1 - p;
  if (lower === 0) return Number.NEGATIVE_INFINITY;
  if (lower === 1) return Number.POSITIVE_INFINITY;
  if (lower === 0.5) return 0;
  // Work in the smaller tail, where p is exact even when 1 − p is not.
  const small = Math.min(p, 1 - p);
  const t = Math.sqrt(-2 * Math.log(small));
  let z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  // z now approximates the upper-tail quantile of `small`; Halley steps on P(Z > z) = small.
  for (let i = 0; i < 6; i++) {
    const err = pnorm(z, false) - small;
    const density = dnorm(z);
    if (density === 0) break;
    const step = err / density; // Newton on −(upper tail)
    z = z + step / (1 + (z * step) / 2);
    if (Math.abs(step) < 1e-15 * Math.max(1, Math.abs(z))) break;
  }
  // `small` is the upper tail; the wanted quantile is on the side `lower` says.
  const upperIsSmall = lowerTail ? p > 0.5 : p < 0.5;
  return upperIsSmall ? z : -z;
}
