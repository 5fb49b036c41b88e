import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { judgeActivation } from './activation-judge.js';
import { activationBins, activationStatistics } from './activation-statistics.js';
import type { LayerActivation } from './layer-activation.js';

const relu: LayerActivation = { name: 'relu', judge: judgeActivation('relu'), unitAxis: 'last' };
const tanh: LayerActivation = { name: 'tanh', judge: judgeActivation('tanh'), unitAxis: 'last' };

describe('activationStatistics', () => {
  it('counts a unit as dead only when every sample leaves it at 0', () => {
    // 3 samples × 4 units: unit 1 is 0 everywhere, unit 3 fires once.
    const values = [0.5, 0, 1, 0, 0.2, 0, 2, 0, 0.1, 0, 3, 0.7];
    const statistics = activationStatistics([{ values, shape: [3, 4] }], relu);
    expect(statistics.units).toBe(4);
    expect(statistics.deadFraction).toBe(0.25);
    expect(statistics.inactiveFraction).toBe(5 / 12);
    expect(statistics.meanActivation).toBeCloseTo(7.5 / 12, 12);
    expect(statistics.saturatedFraction).toBeNull();
  });

  it('treats the channels of a convolution as its units, at every position', () => {
    // One sample of 2 channels × 2×2 positions; only the first two stored values are non-zero.
    const values = [0.3, 0.3, 0, 0, 0, 0, 0, 0];
    // Channels last ([1, 2, 2, 2]): index i is channel i % 2, so both channels fire once.
    expect(activationStatistics([{ values, shape: [1, 2, 2, 2] }], relu)).toMatchObject({
      units: 2,
      deadFraction: 0,
    });
    // Channels first: indices 0–3 are channel 0, 4–7 channel 1, which never fires.
    const channelsFirst = activationStatistics([{ values, shape: [1, 2, 2, 2] }], {
      ...relu,
      unitAxis: 1,
    });
    expect(channelsFirst).toMatchObject({ units: 2, deadFraction: 0.5 });
  });

  it('separates saturated outputs from units saturated on every sample', () => {
    const values = [0.999, -0.995, 0.2, 0.9995, -0.999, -0.1];
    const statistics = activationStatistics([{ values, shape: [2, 3] }], tanh);
    expect(statistics.saturatedFraction).toBe(4 / 6);
    expect(statistics.saturatedUnitFraction).toBe(2 / 3);
    expect(statistics.deadFraction).toBeNull();
  });

  it('pools the calls of a shared layer and leaves NaN and Inf out of the mean', () => {
    const statistics = activationStatistics(
      [
        { values: [0, 1], shape: [1, 2] },
        { values: [Number.NaN, Number.POSITIVE_INFINITY], shape: [1, 2] },
      ],
      relu,
    );
    expect(statistics.nanCount).toBe(1);
    expect(statistics.infCount).toBe(1);
    expect(statistics.meanActivation).toBe(0.5);
    expect(statistics.deadFraction).toBe(0);
  });

  it('puts values into fixed 0.1-wide bins on [−5, 5] with under- and overflow', () => {
    expect(activationBins).toHaveLength(101);
    expect(activationBins[50]).toBe(0);
    const { histogram } = activationStatistics(
      [{ values: [-7, -5, 0, 0.05, 0.25, 4.99, 5, 12], shape: [8, 1] }],
      relu,
    );
    expect(histogram).toHaveLength(102);
    expect(histogram[0]).toBe(1);
    expect(histogram[1]).toBe(1);
    expect(histogram[51]).toBe(2);
    expect(histogram[53]).toBe(1);
    expect(histogram[100]).toBe(1);
    expect(histogram[101]).toBe(2);
    expect(histogram.reduce((a, b) => a + b, 0)).toBe(8);
  });
});
