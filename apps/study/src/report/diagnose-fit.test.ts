import { describe, expect, it } from 'vitest';
import { diagnoseFit, type FitHistoryEpoch } from './diagnose-fit.js';

const curve = (epochs: number, at: (epoch: number) => FitHistoryEpoch) =>
  Array.from({ length: epochs }, (_, i) => at(i + 1));

describe('diagnoseFit', () => {
  it('calls a run overfit when validation loss turns up while training loss keeps falling', () => {
    const history = curve(20, (e) => ({
      trainLoss: 1 / e,
      trainAccuracy: Math.min(1, 0.8 + e * 0.01),
      validationLoss: 0.5 + (e - 6) ** 2 / 100,
      validationAccuracy: 0.85,
    }));
    const diagnosis = diagnoseFit(history);
    expect(diagnosis.label).toBe('overfit');
    expect(diagnosis.evidence.minValidationLossEpoch).toBe(6);
    expect(diagnosis.evidence.lossGapTrend).toBeGreaterThan(0);
    expect(diagnosis.reasons.join(' ')).toContain('above its minimum (epoch 6)');
  });

  it('calls a run underfit when it cannot fit its own training data', () => {
    const history = curve(20, (e) => ({
      trainLoss: 0.6,
      trainAccuracy: 0.8 + e * 0.001,
      validationLoss: 0.62,
      validationAccuracy: 0.8,
    }));
    const diagnosis = diagnoseFit(history);
    expect(diagnosis.label).toBe('underfit');
    expect(diagnosis.reasons[0]).toContain('82.0 %');
  });

  it('calls a run a good fit when both curves flatten together at a high accuracy', () => {
    const history = curve(20, (e) => ({
      trainLoss: 0.05 + 1 / (e + 5),
      trainAccuracy: 0.99,
      validationLoss: 0.07 + 1 / (e + 5),
      validationAccuracy: 0.98,
    }));
    expect(diagnoseFit(history).label).toBe('good fit');
  });

  it('needs validation numbers', () => {
    expect(() =>
      diagnoseFit([
        { trainLoss: 1, trainAccuracy: 0.5, validationLoss: null, validationAccuracy: null },
      ]),
    ).toThrow(/validation/);
  });
});
