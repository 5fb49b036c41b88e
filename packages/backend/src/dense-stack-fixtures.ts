// Seeded Dense stacks and data shared by the fused-trainer tests, and stock tfjs training to
// compare with. Test-only: not part of the package's API.
import { activationLayer } from '@actlab/activations';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { probeNativeKernels } from './native-kernels.js';
import type { OptimizerSpec } from './optimizer-spec.js';

/**
 * The kernel sets to run the trainer tests on: native and WebAssembly where the native ones
 * load, WebAssembly alone elsewhere, except in CI on Linux x64 where missing native kernels
 * are an error (the suite must run with native on and off there).
 */
export function availableKernels(): { kernels: 'native' | 'wasm' }[] {
  const probe = probeNativeKernels();
  if (probe.available) return [{ kernels: 'native' }, { kernels: 'wasm' }];
  if (process.env.CI && process.platform === 'linux' && process.arch === 'x64') {
    throw new Error(`CI on linux-x64 needs the native kernels: ${probe.reason}`);
  }
  return [{ kernels: 'wasm' }];
}

export type HiddenActivation = 'relu' | 'tanh' | 'sigmoid' | 'linear' | 'elu' | 'selu' | 'relu6';

export interface StackSpec {
  inputSize: number;
  widths: number[];
  classes: number;
  activation: HiddenActivation | 'leakyRelu' | 'lecunTanh' | 'actlabElu';
  seed: number;
  useBias?: boolean;
}

export function buildStack(spec: StackSpec): tfl.Sequential {
  const model = tfl.sequential();
  spec.widths.forEach((units, index) => {
    const native = !['leakyRelu', 'lecunTanh', 'actlabElu'].includes(spec.activation);
    model.add(
      tfl.layers.dense({
        units,
        ...(index === 0 ? { inputShape: [spec.inputSize] } : {}),
        activation: native ? (spec.activation as HiddenActivation) : 'linear',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: spec.seed + index }),
        biasInitializer: tfl.initializers.randomNormal({
          stddev: 0.1,
          seed: spec.seed + 100 + index,
        }),
        useBias: spec.useBias ?? true,
      }),
    );
    if (spec.activation === 'leakyRelu') model.add(tfl.layers.leakyReLU({ alpha: 0.2 }));
    if (spec.activation === 'lecunTanh') model.add(activationLayer('lecunTanh'));
    if (spec.activation === 'actlabElu') model.add(activationLayer({ name: 'elu', alpha: 0.5 }));
  });
  model.add(
    tfl.layers.dense({
      units: spec.classes,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: spec.seed + 50 }),
    }),
  );
  return model;
}

export function stockOptimizer(spec: OptimizerSpec): tf.Optimizer {
  switch (spec.name) {
    case 'sgd':
      return tf.train.sgd(spec.learningRate);
    case 'momentum':
      return tf.train.momentum(spec.learningRate, spec.momentum ?? 0.9, spec.useNesterov);
    case 'adam':
      return tf.train.adam(spec.learningRate, spec.beta1, spec.beta2, spec.epsilon);
    case 'adagrad':
      return tf.train.adagrad(spec.learningRate, spec.initialAccumulatorValue);
    case 'adadelta':
      return tf.train.adadelta(spec.learningRate, spec.rho, spec.epsilon);
    case 'rmsprop':
      return tf.train.rmsprop(spec.learningRate, spec.decay, spec.momentum, spec.epsilon);
  }
}

export function randomBatches(
  seed: number,
  count: number,
  rows: number,
  inputSize: number,
  classes: number,
) {
  return Array.from({ length: count }, (_, index) =>
    tf.tidy(() => {
      const xs = tf.randomNormal([rows, inputSize], 0, 1, 'float32', seed + index);
      const labels = tf.randomUniform([rows], 0, classes, 'int32', seed + 1000 + index);
      const ys = tf.cast(tf.oneHot(labels, classes), 'float32');
      return { xs: xs.dataSync() as Float32Array, ys: ys.dataSync() as Float32Array };
    }),
  );
}

/** Stock tfjs training: the loss tfjs-layers' model.fit uses, minimised by a tfjs optimizer. */
export function trainStock(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  batches: { xs: Float32Array; ys: Float32Array }[],
  inputSize: number,
  classes: number,
): number[] {
  return batches.map(({ xs, ys }) =>
    tf.tidy(() => {
      const rows = xs.length / inputSize;
      const input = tf.tensor2d(xs, [rows, inputSize]);
      const target = tf.tensor2d(ys, [rows, classes]);
      const loss = optimizer.minimize(
        () =>
          tf.mean(
            tfl.metrics.categoricalCrossentropy(
              target,
              model.apply(input, { training: true }) as tf.Tensor,
            ),
          ) as tf.Scalar,
        true,
      );
      return loss!.dataSync()[0] as number;
    }),
  );
}

export function weightsOf(model: tfl.LayersModel): Float32Array[] {
  return model.getWeights().map((weight) => weight.dataSync() as Float32Array);
}
