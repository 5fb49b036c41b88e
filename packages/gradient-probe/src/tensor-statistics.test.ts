import { describe, expect, it } from 'vitest';
import { logBins, valueStatistics } from './tensor-statistics.js';

describe('valueStatistics', () => {
  it('computes max, mean and norm of |x| in float64 over the finite values', () => {
    const statistics = valueStatistics(
      new Float32Array([3, -4, 0, Number.NaN, Number.NEGATIVE_INFINITY]),
    );
    expect(statistics).toMatchObject({
      maxAbs: 4,
      meanAbs: 7 / 3,
      l2Norm: 5,
      nanCount: 1,
      infCount: 1,
      zeroCount: 1,
    });
  });

  it('reports a NaN mean when no value is finite, not a silent 0', () => {
    expect(valueStatistics([Number.NaN]).meanAbs).toBeNaN();
    expect(valueStatistics([]).maxAbs).toBe(0);
  });

  it('counts log10|x| in 0.5-wide bins from 1e-12 to 1e4 with under- and overflow', () => {
    expect(logBins).toHaveLength(33);
    expect(logBins[0]).toBe(-12);
    expect(logBins.at(-1)).toBe(4);
    const { logHistogram } = valueStatistics([1e-15, 1e-12, 0.002, -0.002, 1, 3e5]);
    expect(logHistogram).toHaveLength(34);
    expect(logHistogram[0]).toBe(1);
    expect(logHistogram[1]).toBe(1);
    // log10(0.002) = −2.7 lies in [−3, −2.5): bin 1 + (−3 + 12) / 0.5 = 19.
    expect(logHistogram[19]).toBe(2);
    expect(logHistogram[25]).toBe(1);
    expect(logHistogram[33]).toBe(1);
  });
});
