/** Largest |a[i] - b[i]|; throws when the lengths differ. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  }
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    if (d > worst) worst = d;
  }
  return worst;
}

/**
 * Throws with the first offending index when two arrays differ by more than
 * `tolerance` (absolute) + `relative` × |expected|.
 */
export function expectArraysClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance = 1e-5,
  relative = 0,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`length mismatch: got ${actual.length}, expected ${expected.length}`);
  }
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Object.is(a, e)) continue;
    const bound = tolerance + relative * Math.abs(e);
    if (!(Math.abs(a - e) <= bound)) {
      throw new Error(`arrays differ at index ${i}: got ${a}, expected ${e} (bound ${bound})`);
    }
  }
}
