import { describe, expect, it } from 'vitest';
import { formatMeanSd, meanSd } from './summarize.js';

describe('meanSd', () => {
  it('computes the mean and the sample standard deviation', () => {
    const stats = meanSd([1, 2, 3, 4]);
    expect(stats.mean).toBe(2.5);
    expect(stats.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(formatMeanSd(stats, 2)).toBe('2.50 ± 1.29');
  });

  it('has no sd for one value and ignores non-finite values', () => {
    expect(meanSd([0.5, Number.NaN])).toEqual({ mean: 0.5, sd: null, n: 1 });
    expect(formatMeanSd(meanSd([]))).toBe('—');
  });
});
