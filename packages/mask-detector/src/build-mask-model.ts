import { tfjsSeed } from '@actlab/seeded-random';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ClassMode } from './labels.js';
import { MaskDetectorError } from './mask-detector-error.js';

/** Options of {@link buildMaskModel}. */
export interface MaskModelOptions {
  /** Side of the square RGB input in pixels. Default 64. */
  size?: number;
  /** 2 (sigmoid output) or 3 (softmax). Default 2. */
  classes?: ClassMode;
  /** Filters of the three convolution blocks. Default [16, 32, 64]. */
  filters?: [number, number, number];
  /** Learning rate of Adam. Default 0.0005, as in the seed. */
  learningRate?: number;
  /**
   * Momentum of the BatchNormalization moving statistics. Default 0.99 (tfjs's); lower it for
   * runs of a few dozen steps, or inference uses statistics that have not converged yet.
   */
  batchNormMomentum?: number;
  /** Seed of the kernel initialisers. Default 0. */
  seed?: number;
}

/**
 * The seed's network, compiled: three blocks of Conv2D(3×3) → BatchNormalization → LeakyReLU →
 * MaxPooling(2) → Dropout(0.25), then Dense(64) → BatchNormalization → LeakyReLU → Dropout(0.5),
 * and a sigmoid unit (two classes, binary cross-entropy) or a softmax (three classes,
 * categorical cross-entropy), trained with Adam.
 *
 * The Adam optimizer is the caller's: free it with `model.optimizer.dispose()` beside
 * `model.dispose()`.
 *
 * @throws {@link MaskDetectorError} `INVALID_OPTION` for a size under 16 or a class count other than 2 or 3
 */
export function buildMaskModel(options: MaskModelOptions = {}): tfl.LayersModel {
  const size = options.size ?? 64;
  const classes = options.classes ?? 2;
  if (!Number.isInteger(size) || size < 16) {
    throw new MaskDetectorError({
      code: 'INVALID_OPTION',
      message: `size must be a whole number ≥ 16, got ${size}`,
    });
  }
  if (classes !== 2 && classes !== 3) {
    throw new MaskDetectorError({
      code: 'INVALID_OPTION',
      message: `classes must be 2 or 3, got ${String(classes)}`,
    });
  }
  const seed = options.seed ?? 0;
  const filters = options.filters ?? [16, 32, 64];
  const model = tfl.sequential();
  filters.forEach((count, block) => {
    model.add(
      tfl.layers.conv2d({
        ...(block === 0 ? { inputShape: [size, size, 3] } : {}),
        filters: count,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: tfl.initializers.heNormal({ seed: tfjsSeed(seed + block) }),
      }),
    );
    model.add(tfl.layers.batchNormalization({ momentum: options.batchNormMomentum ?? 0.99 }));
    model.add(tfl.layers.leakyReLU({ alpha: 0.1 }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tfl.layers.dropout({ rate: 0.25, seed: seed + 10 + block }));
  });
  model.add(tfl.layers.flatten());
  model.add(
    tfl.layers.dense({
      units: 64,
      kernelInitializer: tfl.initializers.heNormal({ seed: tfjsSeed(seed + 20) }),
    }),
  );
  model.add(tfl.layers.batchNormalization({ momentum: options.batchNormMomentum ?? 0.99 }));
  model.add(tfl.layers.leakyReLU({ alpha: 0.1 }));
  model.add(tfl.layers.dropout({ rate: 0.5, seed: seed + 30 }));
  model.add(
    tfl.layers.dense({
      units: classes === 2 ? 1 : 3,
      activation: classes === 2 ? 'sigmoid' : 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 40 }),
    }),
  );
  model.compile({
    optimizer: tf.train.adam(options.learningRate ?? 0.0005),
    loss: classes === 2 ? 'binaryCrossentropy' : 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}
