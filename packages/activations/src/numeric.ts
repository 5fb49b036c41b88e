import type { Interval } from './interval.js';

/** Half-width of the window on which zones are searched; beyond it the tails are monotone. */
export const zoneWindow = 30;
const zoneStep = 0.005;

/**
 * Golden-section search for the minimum of a unimodal function on [a, b]; returns [x, f(x)].
 * Used for range bounds with no closed form (GELU's minimum, Swish's, Mish's).
 */
export function minimize(fn: (x: number) => number, a: number, b: number): [number, number] {
  const ratio = (Math.sqrt(5) - 1) / 2;
  let lo = a;
  let hi = b;
  let x1 = hi - ratio * (hi - lo);
  let x2 = lo + ratio * (hi - lo);
  let f1 = fn(x1);
  let f2 = fn(x2);
  for (let i = 0; i < 200 && hi - lo > 1e-13; i++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - ratio * (hi - lo);
      f1 = fn(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + ratio * (hi - lo);
      f2 = fn(x2);
    }
  }
  const x = (lo + hi) / 2;
  return [x, fn(x)];
}

/** Maximum of a unimodal function on [a, b]; returns [x, f(x)]. */
export function maximize(fn: (x: number) => number, a: number, b: number): [number, number] {
  const [x, value] = minimize((t) => -fn(t), a, b);
  return [x, -value];
}

/**
 * The set {x : predicate(x)} as intervals, found on a fine grid over [−30, 30] and refined by
 * bisection to ~1e-12; a set that reaches the window's edge is taken to continue to ±∞.
 */
export function intervalsWhere(predicate: (x: number) => boolean): Interval[] {
  const found: Interval[] = [];
  const steps = Math.round((2 * zoneWindow) / zoneStep);
  const at = (i: number) => -zoneWindow + i * zoneStep;
  const edge = (inside: number, outside: number) => {
    let a = inside;
    let b = outside;
    for (let i = 0; i < 60; i++) {
      const mid = (a + b) / 2;
      if (predicate(mid)) a = mid;
      else b = mid;
    }
    // Kinks sit at round numbers (0, ±3, 6, λ…): snap to them so the bound is exact, then the
    // boundary point belongs to the set when the predicate holds there.
    const snapped = Math.round(a * 1e9) / 1e9;
    const value = Math.abs(snapped - a) < 1e-9 ? snapped : a;
    return { value, inclusive: predicate(value) };
  };
  let start: { value: number; inclusive: boolean } | null = predicate(at(0))
    ? { value: Number.NEGATIVE_INFINITY, inclusive: false }
    : null;
  for (let i = 1; i <= steps; i++) {
    const previous = predicate(at(i - 1));
    const current = predicate(at(i));
    if (!previous && current) start = edge(at(i), at(i - 1));
    if (previous && !current && start) {
      const end = edge(at(i - 1), at(i));
      found.push({
        min: start.value,
        max: end.value,
        minInclusive: start.inclusive,
        maxInclusive: end.inclusive,
      });
      start = null;
    }
  }
  if (start) {
    found.push({
      min: start.value,
      max: Number.POSITIVE_INFINITY,
      minInclusive: start.inclusive,
      maxInclusive: false,
    });
  }
  return found;
}

/** E[f(z)²] for z ~ N(0, 1), by the trapezoid rule on [−12, 12] (error < 1e-9 here). */
export function secondMomentUnderNormal(fn: (x: number) => number): number {
  const step = 1e-3;
  let sum = 0;
  for (let x = -12; x <= 12 + 1e-9; x += step) {
    const value = fn(x);
    sum += value * value * (Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI));
  }
  return sum * step;
}
