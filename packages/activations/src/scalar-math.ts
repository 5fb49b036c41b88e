// Float64 reference math, independent of tfjs: used to find zones, ranges and gains, and by the
// tests as a second opinion on the tensor formulas.

/** Logistic function, stable for large |x|. */
export function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x), stable for large |x|. */
export function softplusScalar(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** sech²(x) = 1 − tanh²(x), without the cancellation of the latter for large |x|. */
export function sech2(x: number): number {
  const a = Math.abs(x);
  const e = Math.exp(-2 * a);
  return (4 * e) / (1 + e) ** 2;
}

/** Error function (Abramowitz–Stegun 7.1.26 is too coarse; this is a continued-fraction/series pair, |error| < 1e-15). */
export function erf(x: number): number {
  const a = Math.abs(x);
  let result: number;
  if (a < 2.5) {
    // Maclaurin series: erf(x) = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
    let term = a;
    let sum = a;
    for (let n = 1; n < 100; n++) {
      term *= (-a * a) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    result = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    result = 1 - erfcLarge(a);
  }
  return x < 0 ? -result : result;
}

/** erfc(x) for x ≥ 2.5 by Lentz's continued fraction. */
function erfcLarge(x: number): number {
  // erfc(x) = e^{−x²}/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …))))
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = x + an / c;
    if (c === 0) c = 1e-300;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Standard normal distribution function Φ(x). */
export function normalCdf(x: number): number {
  if (x < -2.5 * Math.SQRT2) return 0.5 * erfcLarge(-x / Math.SQRT2);
  return 0.5 * (1 + erf(x / Math.SQRT2));
}
