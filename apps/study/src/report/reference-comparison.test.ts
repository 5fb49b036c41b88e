import { describe, expect, it } from 'vitest';
import { beyondNoise, pointLabel, type Reference, referenceValue } from './reference-comparison.js';

const reference: Reference = {
  source: 'the seed',
  metric: 'testAccuracy',
  epoch: 40,
  rows: [
    { activation: 'relu', depth: 5, value: 0.9651 },
    { activation: 'tanh', depth: 5, value: 0.9698 },
  ],
};

describe('reference comparison', () => {
  it('finds the row whose every key matches the grid point, numbers compared as text', () => {
    expect(referenceValue(reference, { activation: 'tanh', depth: '5' })).toBe(0.9698);
    expect(referenceValue(reference, { activation: 'sigmoid', depth: '5' })).toBeUndefined();
  });

  it('names a grid point by its axes in order', () => {
    expect(pointLabel({ activation: 'relu', depth: '40' })).toBe('activation=relu depth=40');
  });

  it('calls a gap beyond noise only past both 0.02 and two standard deviations', () => {
    expect(beyondNoise({ mean: 0.95, sd: 0.001, n: 3 }, 0.9651)).toBe(false);
    expect(beyondNoise({ mean: 0.9, sd: 0.001, n: 3 }, 0.9651)).toBe(true);
    expect(beyondNoise({ mean: 0.19, sd: 0.13, n: 3 }, 0.1135)).toBe(false);
    expect(beyondNoise({ mean: 0.41, sd: 0.15, n: 3 }, 0.1135)).toBe(false);
    expect(beyondNoise({ mean: 0.41, sd: 0.1, n: 3 }, 0.1135)).toBe(true);
  });
});
