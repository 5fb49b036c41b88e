import '@tensorflow/tfjs-backend-cpu';
import { activationLayer } from '@actlab/activations';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { layerActivation } from './layer-activation.js';

const nameOf = (layer: tfl.layers.Layer) => layerActivation(layer)?.name ?? null;

describe('layerActivation', () => {
  it('reads the activation config of Dense and convolution layers; linear means none', () => {
    expect(nameOf(tfl.layers.dense({ units: 2, activation: 'relu' }))).toBe('relu');
    expect(nameOf(tfl.layers.dense({ units: 2 }))).toBeNull();
    expect(nameOf(tfl.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'tanh' }))).toBe(
      'tanh',
    );
    expect(nameOf(tfl.layers.flatten())).toBeNull();
  });

  it('finds the unit axis of a channels-first convolution', () => {
    const layer = tfl.layers.conv2d({
      filters: 2,
      kernelSize: 3,
      activation: 'relu',
      dataFormat: 'channelsFirst',
    });
    expect(layerActivation(layer)?.unitAxis).toBe(1);
    expect(layerActivation(tfl.layers.dense({ units: 2, activation: 'relu' }))?.unitAxis).toBe(
      'last',
    );
  });

  it('recognises tfjs Activation and advanced activation layers with their settings', () => {
    expect(nameOf(tfl.layers.activation({ activation: 'sigmoid' }))).toBe('sigmoid');
    const capped = layerActivation(tfl.layers.reLU({ maxValue: 3 }));
    expect(capped?.judge).toMatchObject({ deadValue: 0, saturation: [{ value: 3 }] });
    expect(nameOf(tfl.layers.leakyReLU({ alpha: 0.1 }))).toBe('leakyRelu');
    expect(layerActivation(tfl.layers.leakyReLU({ alpha: 0.1 }))?.judge?.deadValue).toBeNull();
    expect(layerActivation(tfl.layers.elu())?.judge?.saturation[0]?.value).toBeCloseTo(-0.99, 10);
    expect(layerActivation(tfl.layers.softmax())).toMatchObject({ name: 'softmax', judge: null });
    expect(layerActivation(tfl.layers.prelu())).toMatchObject({ name: 'prelu', judge: null });
  });

  it('recognises actlab activation layers, fixed (with parameters) and learnable', () => {
    expect(layerActivation(activationLayer('hardTanh'))?.judge?.saturation).toHaveLength(2);
    expect(nameOf(activationLayer({ name: 'elu', alpha: 0.5 }))).toBe('elu');
    expect(
      layerActivation(activationLayer({ name: 'elu', alpha: 0.5 }))?.judge?.saturation[0]?.value,
    ).toBeCloseTo(-0.49, 10);
    expect(layerActivation(activationLayer('learnableSwish'))).toMatchObject({
      name: 'learnableSwish',
      judge: null,
    });
    expect(nameOf(activationLayer('rational'))).toBe('rational');
  });

  it('does not judge the gated outputs of an LSTM by its tanh', () => {
    const lstm = tfl.layers.lstm({ units: 2 });
    expect(layerActivation(lstm)).toMatchObject({ name: 'tanh', judge: null });
    expect(layerActivation(tfl.layers.simpleRNN({ units: 2 }))?.judge?.name).toBe('tanh');
  });
});
