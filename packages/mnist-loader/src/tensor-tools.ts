import * as tf from '@tensorflow/tfjs-core';
import type { LabelledSet } from './labelled-set.js';
import { MnistLoaderError } from './loader-error.js';
import { requireSeed, selectSamples, shuffledIndices } from './set-tools.js';

/** How images and labels become tensors. */
export interface TensorOptions {
  /** [n, h·w·c] instead of [n, h, w, c] (c = the set's channels, 1 for MNIST). Default false. */
  flatten?: boolean;
  /** 'unit': pixels / 255 (default); 'standard': (pixels/255 − mean) / sd of this set. */
  normalize?: 'unit' | 'standard';
  /** Labels one-hot [n, 10] float32 (default) or int32 [n]. */
  oneHot?: boolean;
  /** Number of classes for one-hot. Default 10. */
  classes?: number;
}

function pixelStatistics(set: LabelledSet): { mean: number; sd: number } {
  let sum = 0;
  let squares = 0;
  for (const value of set.images) {
    sum += value;
    squares += value * value;
  }
  const n = set.images.length;
  const mean = sum / n / 255;
  const variance = squares / n / 65025 - mean * mean;
  return { mean, sd: Math.sqrt(Math.max(variance, 1e-12)) };
}

/**
 * Tensors for a set: `xs` float32 images, `ys` labels. The caller disposes them.
 *
 * @param set - images and labels, e.g. `train` from `loadMnist`
 * @param options - shape, normalisation and label encoding
 * @throws {@link MnistLoaderError} `INVALID_OPTION` for an unknown normalisation,
 *   `LABEL_OUT_OF_RANGE` for a label ≥ `classes`
 */
export function toTensors(
  set: LabelledSet,
  options: TensorOptions = {},
): { xs: tf.Tensor; ys: tf.Tensor } {
  return tensorsWithStatistics(set, options, statisticsFor(set, options));
}

function statisticsFor(set: LabelledSet, options: TensorOptions): { mean: number; sd: number } {
  const { normalize = 'unit' } = options;
  if (normalize !== 'unit' && normalize !== 'standard') {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `normalize must be 'unit' or 'standard', got ${String(normalize)}.`,
    });
  }
  return normalize === 'standard' ? pixelStatistics(set) : { mean: 0, sd: 1 };
}

function tensorsWithStatistics(
  set: LabelledSet,
  options: TensorOptions,
  { mean, sd }: { mean: number; sd: number },
): { xs: tf.Tensor; ys: tf.Tensor } {
  const { flatten = false, oneHot = true, classes = 10 } = options;
  for (let i = 0; i < set.labels.length; i++) {
    if ((set.labels[i] as number) >= classes) {
      // tf.oneHot would turn such a label into a row of zeros without a word.
      throw new MnistLoaderError({
        code: 'LABEL_OUT_OF_RANGE',
        message: `label ${set.labels[i]} at sample ${i} is outside 0…${classes - 1}; pass classes: ${(set.labels[i] as number) + 1} or more if the dataset has that many classes.`,
      });
    }
  }
  const pixels = new Float32Array(set.images.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = ((set.images[i] as number) / 255 - mean) / sd;
  const shape = flatten
    ? [set.count, set.height * set.width * (set.channels ?? 1)]
    : [set.count, set.height, set.width, set.channels ?? 1];
  const xs = tf.tensor(pixels, shape, 'float32');
  const ys = oneHot
    ? tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(set.labels, 'int32'), classes), 'float32'))
    : tf.tensor1d(set.labels, 'int32');
  return { xs, ys };
}

/** How {@link batches} cuts a set. */
export interface BatchOptions extends TensorOptions {
  batchSize: number;
  /** Shuffle the order once, by the seed. Default false. */
  shuffle?: boolean;
  seed?: number;
  /** Keep a last batch smaller than batchSize. Default true. */
  keepLast?: boolean;
}

/**
 * Iterates over mini-batches as `{xs, ys}` tensors (each pair is the caller's to dispose);
 * only one batch is in memory at a time.
 *
 * @param set - images and labels
 * @param options - batch size, seeded shuffle, and the {@link toTensors} options
 * @throws {@link MnistLoaderError} `INVALID_OPTION` for a bad batch size or a shuffle without seed,
 *   `LABEL_OUT_OF_RANGE` as {@link toTensors}
 */
export function* batches(
  set: LabelledSet,
  options: BatchOptions,
): Generator<{ xs: tf.Tensor; ys: tf.Tensor }> {
  const { batchSize, shuffle = false, keepLast = true } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `batchSize must be a whole number ≥ 1, got ${batchSize}.`,
    });
  }
  const order = shuffle
    ? shuffledIndices(set.count, requireSeed(options.seed, 'batches with shuffle'))
    : Uint32Array.from({ length: set.count }, (_, i) => i);
  // 'standard' uses the whole set's statistics, not each batch's.
  const statistics = statisticsFor(set, options);
  for (let start = 0; start < set.count; start += batchSize) {
    const end = Math.min(start + batchSize, set.count);
    if (end - start < batchSize && !keepLast) return;
    yield tensorsWithStatistics(
      selectSamples(set, order.subarray(start, end)),
      options,
      statistics,
    );
  }
}
