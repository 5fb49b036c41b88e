import type { ActivationSpec } from '@actlab/activations';
import type { layers } from '@tensorflow/tfjs-layers';
import { type ActivationJudge, judgeActivation } from './activation-judge.js';

/** The activation a layer applies to its outputs, as far as the probe can tell. */
export interface LayerActivation {
  /** Name, e.g. `relu`, `softmax`, `prelu`. */
  name: string;
  /** How dead and saturated outputs are recognised; null when nothing can be said (softmax). */
  judge: ActivationJudge | null;
  /** Axis of the output that holds the units (features, conv channels). */
  unitAxis: 'last' | 1;
}

/** Layers whose output is a gated mix, not f(pre-activation): their `activation` bounds nothing. */
const gatedConfigKey = 'recurrentActivation';

/** Learnable activation layers (tfjs and actlab): slopes change during training, so no fixed judge. */
const learnableLayers: Record<string, string> = {
  PReLU: 'prelu',
  ActlabPReLU: 'prelu',
  LearnableLinear: 'learnableLinear',
  LearnableSwish: 'learnableSwish',
  RationalActivation: 'rational',
};

function named(name: string, judge: ActivationJudge | null): Omit<LayerActivation, 'unitAxis'> {
  return { name, judge };
}

function fromSpec(spec: unknown): Omit<LayerActivation, 'unitAxis'> | null {
  if (spec === undefined || spec === null || spec === 'linear') return null;
  if (typeof spec === 'string') return named(spec, judgeActivation(spec));
  if (typeof spec === 'object' && typeof (spec as { name?: unknown }).name === 'string') {
    const name = (spec as { name: string }).name;
    if (name === 'linear') return null;
    return named(name, judgeActivation(spec as ActivationSpec));
  }
  return named('custom', null);
}

function identify(
  className: string,
  config: Record<string, unknown>,
): Omit<LayerActivation, 'unitAxis'> | null {
  const learnable = learnableLayers[className];
  if (learnable) return named(learnable, null);
  switch (className) {
    case 'Activation':
    case 'ActlabActivation':
      return fromSpec(config.activation);
    case 'ReLU': {
      const maxValue = config.maxValue;
      if (typeof maxValue !== 'number') return named('relu', judgeActivation('relu'));
      return named(maxValue === 6 ? 'relu6' : `relu(maxValue=${maxValue})`, {
        name: 'relu',
        deadValue: 0,
        saturation: [{ side: 'above', value: maxValue, inclusive: true }],
      });
    }
    case 'LeakyReLU': {
      const alpha = typeof config.alpha === 'number' ? config.alpha : 0.3;
      return alpha === 0
        ? named('relu', judgeActivation('relu'))
        : named('leakyRelu', judgeActivation({ name: 'leakyRelu', alpha }));
    }
    case 'ELU': {
      const alpha = typeof config.alpha === 'number' ? config.alpha : 1;
      return named('elu', judgeActivation({ name: 'elu', alpha }));
    }
    case 'ThresholdedReLU': {
      const theta = typeof config.theta === 'number' ? config.theta : 1;
      return named('thresholdedRelu', judgeActivation({ name: 'thresholdedRelu', theta }));
    }
    case 'Softmax':
      return named('softmax', null);
  }
  if (!('activation' in config)) return null;
  const described = fromSpec(config.activation);
  if (described && gatedConfigKey in config) return named(described.name, null);
  return described;
}

const cache = new WeakMap<layers.Layer, LayerActivation | null>();

/**
 * The activation a layer applies, or null when it applies none of its own (a linear Dense, a
 * Flatten). Recognises Dense/Conv-style layers by their `activation` config, tfjs `Activation`
 * and advanced activation layers (ReLU, LeakyReLU, ELU, ThresholdedReLU, Softmax, PReLU), and
 * the actlab activation layers by class name and config.
 */
export function layerActivation(layer: layers.Layer): LayerActivation | null {
  if (cache.has(layer)) return cache.get(layer) ?? null;
  const config = layer.getConfig() as Record<string, unknown>;
  const described = identify(layer.getClassName(), config);
  const result: LayerActivation | null = described
    ? { ...described, unitAxis: config.dataFormat === 'channelsFirst' ? 1 : 'last' }
    : null;
  cache.set(layer, result);
  return result;
}
