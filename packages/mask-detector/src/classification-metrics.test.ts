import { describe, expect, it } from 'vitest';
import { classificationMetrics } from './classification-metrics.js';

describe('classificationMetrics', () => {
  it('gives balanced accuracy, per-class precision/recall/F1 and the confusion matrix', () => {
    // 8 with_mask (7 right), 2 no_mask (1 right).
    const actual = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    const predicted = [0, 0, 0, 0, 0, 0, 0, 1, 1, 0];
    const metrics = classificationMetrics(actual, predicted, ['with_mask', 'no_mask']);
    expect(metrics.confusion).toEqual([
      [7, 1],
      [1, 1],
    ]);
    expect(metrics.accuracy).toBeCloseTo(0.8);
    expect(metrics.balancedAccuracy).toBeCloseTo((7 / 8 + 1 / 2) / 2);
    expect(metrics.perClass[1]).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(metrics.perClass[0]?.precision).toBeCloseTo(7 / 8);
  });

  it('shows how accuracy flatters a model that always says with_mask', () => {
    const metrics = classificationMetrics([0, 0, 0, 1], [0, 0, 0, 0], ['with_mask', 'no_mask']);
    expect(metrics.accuracy).toBe(0.75);
    expect(metrics.balancedAccuracy).toBe(0.5);
    expect(metrics.perClass[1]?.f1).toBe(0);
  });

  it('rejects labels out of range', () => {
    expect(() => classificationMetrics([0, 2], [0, 0], ['a', 'b'])).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});
