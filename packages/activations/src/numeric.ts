import type { Interval } from './interval.js';

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

/** Where to look for the set of {@link intervalsWhere}. */
export interface ZoneSearch {
  /** Points where f′ jumps: searched exactly, and set edges that fall on them snap to them. */
  kinks?: readonly number[];
  /** Characteristic width of f′'s features (1/β for swish, α for celu); the window grows with it. */
  scale?: number;
}

/** Sample points per unit of window half-width: 2·6000 over [−W, W]. */
const samplesPerHalfWindow = 6000;

/**
 * The set {x : predicate(x)} as intervals. The predicate is sampled on [−W, W] with
 * W = 30·scale + max |kink| (beyond which every activation's f′ is monotone), on an even grid plus
 * the kinks and the midpoints between neighbouring kinks, so features narrower than the grid
 * step are still seen; each change is refined by bisection to float64 precision. A set that
 * reaches the window's edge is taken to continue to ±∞.
 */
export function intervalsWhere(
  predicate: (x: number) => boolean,
  { kinks = [], scale = 1 }: ZoneSearch = {},
): Interval[] {
  const halfWidth = 30 * scale + Math.max(0, ...kinks.map(Math.abs));
  const gridStep = halfWidth / samplesPerHalfWindow;
  const sortedKinks = [...new Set(kinks)].sort((a, b) => a - b);
  const between = sortedKinks.slice(1).map((kink, i) => ((sortedKinks[i] as number) + kink) / 2);
  const points = [
    ...Array.from({ length: 2 * samplesPerHalfWindow + 1 }, (_, i) => -halfWidth + i * gridStep),
    ...sortedKinks,
    ...between,
  ].sort((a, b) => a - b);
  const edge = (inside: number, outside: number) => {
    let a = inside;
    let b = outside;
    for (let i = 0; i < 80; i++) {
      const mid = (a + b) / 2;
      if (mid === a || mid === b) break;
      if (predicate(mid)) a = mid;
      else b = mid;
    }
    // At a kink (or at 0, where f′ may vanish at a single point) the bisection stops a rounding
    // error short of it: snap, and the point belongs to the set exactly when the predicate holds
    // there. Elsewhere the edge is the first float outside the set, so the bound is open.
    const snap = [...sortedKinks, 0].find(
      (point) => Math.abs(point - a) <= 1e-9 * Math.max(1, Math.abs(point)),
    );
    return snap === undefined
      ? { value: b, inclusive: false }
      : { value: snap, inclusive: predicate(snap) };
  };
  const found: Interval[] = [];
  const first = points[0] as number;
  let start: { value: number; inclusive: boolean } | null = predicate(first)
    ? { value: Number.NEGATIVE_INFINITY, inclusive: false }
    : null;
  let previousX = first;
  let previous = predicate(first);
  for (const x of points.slice(1)) {
    const current = predicate(x);
    if (!previous && current) start = edge(x, previousX);
    if (previous && !current && start) {
      const end = edge(previousX, x);
      found.push({
        min: start.value,
        max: end.value,
        minInclusive: start.inclusive,
        maxInclusive: end.inclusive,
      });
      start = null;
    }
    previousX = x;
    previous = current;
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
