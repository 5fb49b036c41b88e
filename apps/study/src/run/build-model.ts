import { activationLayer } from '@actlab/activations';
import { deriveSeed, tfjsSeed } from '@actlab/seeded-random';
import * as tf from '@tensorflow/tfjs-layers';
import type { TrialSettings } from '../study/study-schema.js';
import { hiddenWidths } from '../study/trial-limits.js';

/** Activations that tfjs-layers' Dense computes itself, fused with the matmul, with the same formula. */
const nativeActivations = new Set(['relu', 'tanh', 'sigmoid', 'linear']);

/**
 * Activations whose kernels start He-normal under the `auto` initializer. Not
 * `initializerFor` from @actlab/activations: its truncated normal with the activation's own gain
 * (5/3 for tanh, another for elu, truncation for sigmoid) would change the numbers of every
 * preset that uses `auto` (optimizer-activation, activation-comparison).
 */
const reluLike = new Set(['relu', 'leakyRelu', 'relu6', 'elu', 'celu', 'prelu', 'thresholdedRelu']);

function initializer(
  settings: TrialSettings,
  layerIndex: number,
  fanIn: number,
  activation: string,
) {
  const seed = tfjsSeed(deriveSeed(settings.seed, 1000 + layerIndex));
  const options = { seed };
  switch (settings.kernelInitializer) {
    case 'auto':
      return reluLike.has(activation)
        ? tf.initializers.heNormal(options)
        : tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(1 / fanIn), seed });
    case 'glorotUniform':
      return tf.initializers.glorotUniform(options);
    case 'glorotNormal':
      return tf.initializers.glorotNormal(options);
    case 'heNormal':
      return tf.initializers.heNormal(options);
    case 'heUniform':
      return tf.initializers.heUniform(options);
    case 'lecunNormal':
      return tf.initializers.leCunNormal(options);
    case 'lecunUniform':
      return tf.initializers.leCunUniform(options);
  }
}

/**
 * Builds the trial's MLP: hidden Dense layers with the trial's activation (the first one with
 * `firstActivation` when set), then Dense(10, softmax). Kernels use the trial's initializer seeded
 * per layer; biases start at zero. Same settings → same initial weights on every machine.
 */
export function buildModel(settings: TrialSettings, inputSize: number, classes: number) {
  const model = tf.sequential();
  const widths = hiddenWidths(settings);
  widths.forEach((units, index) => {
    const spec =
      index === 0 && settings.firstActivation ? settings.firstActivation : settings.activation;
    const name = typeof spec === 'string' ? spec : spec.name;
    const native = typeof spec === 'string' && nativeActivations.has(name);
    model.add(
      tf.layers.dense({
        units,
        ...(index === 0 ? { inputShape: [inputSize] } : {}),
        activation: native ? (name as 'relu' | 'tanh' | 'sigmoid' | 'linear') : 'linear',
        kernelInitializer: initializer(
          settings,
          index,
          index === 0 ? inputSize : (widths[index - 1] as number),
          name,
        ),
        biasInitializer: 'zeros',
        name: `dense_${index + 1}`,
      }),
    );
    if (!native) {
      model.add(activationLayer(spec, { name: `activation_${index + 1}` }));
    }
  });
  model.add(
    tf.layers.dense({
      units: classes,
      ...(widths.length === 0 ? { inputShape: [inputSize] } : {}),
      activation: 'softmax',
      kernelInitializer: initializer(
        settings,
        widths.length,
        widths.length === 0 ? inputSize : (widths[widths.length - 1] as number),
        'softmax',
      ),
      biasInitializer: 'zeros',
      name: `dense_${widths.length + 1}`,
    }),
  );
  return model;
}
