/**
 * A real interval. Bounds may be ±Infinity (then they are never inclusive).
 * `[0, ∞)` is `{min: 0, max: Infinity, minInclusive: true, maxInclusive: false}`.
 */
export interface Interval {
  readonly min: number;
  readonly max: number;
  readonly minInclusive: boolean;
  readonly maxInclusive: boolean;
}

/** Builds an interval from bracket notation: `interval('[', 0, Infinity, ')')`. */
export function interval(left: '[' | '(', min: number, max: number, right: ']' | ')'): Interval {
  return {
    min,
    max,
    minInclusive: left === '[' && Number.isFinite(min),
    maxInclusive: right === ']' && Number.isFinite(max),
  };
}

/** True when `value` lies in the interval. */
export function intervalContains(range: Interval, value: number): boolean {
  const aboveMin = range.minInclusive ? value >= range.min : value > range.min;
  const belowMax = range.maxInclusive ? value <= range.max : value < range.max;
  return aboveMin && belowMax;
}

/** `[0, ∞)`, `(−1, 1)`: an interval as a mathematician writes it. */
export function formatInterval(range: Interval, digits = 6): string {
  const bound = (value: number) =>
    value === Number.POSITIVE_INFINITY
      ? '∞'
      : value === Number.NEGATIVE_INFINITY
        ? '−∞'
        : String(Number(value.toPrecision(digits))).replace('-', '−');
  return `${range.minInclusive ? '[' : '('}${bound(range.min)}, ${bound(range.max)}${range.maxInclusive ? ']' : ')'}`;
}
