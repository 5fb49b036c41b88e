import { seededRandom } from '@actlab/seeded-random';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { classificationMetrics } from './classification-metrics.js';
import { seedDropoutForStep } from './dropout-seeds.js';
import { MaskDetectorError } from './mask-detector-error.js';
import { predictBatches } from './predict-batches.js';

/** The data {@link trainMaskModel} trains on. */
export interface TrainingData {
  /** Every sample, `[n, size, size, 3]`, values in [0, 1]. */
  images: tf.Tensor4D;
  /** Label index of every sample. */
  labels: ArrayLike<number>;
  classNames: readonly string[];
  trainIndices: readonly number[];
  validationIndices: readonly number[];
}

/** Options of {@link trainMaskModel}. */
export interface TrainMaskModelOptions {
  /** Maximum epochs. Default 30. */
  maxEpochs?: number;
  /** Stop once validation accuracy exceeds this (the seed's rule). Default 0.97. */
  targetValidationAccuracy?: number;
  /** Default 32. */
  batchSize?: number;
  /** Draw every batch with equal chances per class (balanced sampling). Default true. */
  balancedSampling?: boolean;
  /** Random horizontal flips and shifts of up to `maxShift` × the side. Default true. */
  augment?: boolean;
  /** Default 0.08. */
  maxShift?: number;
  /** Seed of sampling and augmentation. Default 0. */
  seed?: number;
  /** Stop after the epoch that ends past this time (ms since the epoch, as `Date.now()`). */
  deadline?: number;
  /**
   * Put back the weights of the epoch with the best validation balanced accuracy when training
   * stops (as Keras's `restoreBestWeights`). Default true.
   */
  restoreBestWeights?: boolean;
  /**
   * Called after every epoch with its record and the state to resume from after it (save it
   * with the model's weights and optimizer state; its tensors stay owned by the training).
   */
  onEpoch?: (record: EpochRecord, state: MaskTrainingState) => void | Promise<void>;
  /**
   * Continue an interrupted training from the state `onEpoch` gave after its last epoch; the
   * caller restores the model's weights and optimizer state. Takes ownership of `best.weights`.
   */
  resume?: MaskTrainingState;
}

/** Where a training stands after an epoch: enough, with the weights and optimizer, to resume exactly. */
export interface MaskTrainingState {
  epochs: EpochRecord[];
  /** Numbers drawn from the seeded generator (sampling and augmentation) so far. */
  randomDraws: number;
  /** The best epoch so far and its weights (with `restoreBestWeights`). */
  best?: { epoch: number; score: number; weights: tf.Tensor[] };
}

/** What one epoch measured. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationAccuracy: number;
  validationBalancedAccuracy: number;
  validationLoss: number;
  /** True when this epoch beat every earlier one on validation balanced accuracy. */
  improved: boolean;
  seconds: number;
}

/** Result of {@link trainMaskModel}. */
export interface TrainingHistory {
  /** One record per epoch run. */
  epochs: EpochRecord[];
  /** `target`: validation accuracy passed the target; `deadline`: time ran out; else `maxEpochs`. */
  stoppedBy: 'target' | 'maxEpochs' | 'deadline';
  /**
   * The epoch with the best validation balanced accuracy; the model ends with its weights
   * unless `restoreBestWeights` is false (then it holds the last epoch's).
   */
  bestEpoch: number;
}

/** Random flips and shifts as one cropAndResize: a box with x1 > x2 samples a mirrored crop. */
function augmentBatch(x: tf.Tensor4D, random: () => number, maxShift: number): tf.Tensor4D {
  const n = x.shape[0];
  const boxes: number[] = [];
  for (let i = 0; i < n; i++) {
    const dy = (random() * 2 - 1) * maxShift;
    const dx = (random() * 2 - 1) * maxShift;
    const flip = random() < 0.5;
    boxes.push(dy, flip ? 1 + dx : dx, 1 + dy, flip ? dx : 1 + dx);
  }
  return tf.image.cropAndResize(
    x,
    tf.tensor2d(boxes, [n, 4]),
    tf.range(0, n, 1, 'int32') as tf.Tensor1D,
    [x.shape[1], x.shape[2]],
    'bilinear',
  );
}

function targetsFor(labels: number[], classes: number): tf.Tensor2D {
  return classes === 2
    ? tf.tensor2d(labels, [labels.length, 1])
    : (tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32') as tf.Tensor2D);
}

/**
 * Trains a compiled mask model (see {@link buildMaskModel}) with balanced sampling and light
 * augmentation until validation accuracy exceeds the target or `maxEpochs` is reached, and
 * measures validation accuracy, balanced accuracy and loss after every epoch.
 *
 * @throws {@link MaskDetectorError} `NO_SAMPLES` when the training or validation side is empty
 */
export async function trainMaskModel(
  model: tfl.LayersModel,
  data: TrainingData,
  options: TrainMaskModelOptions = {},
): Promise<TrainingHistory> {
  if (data.trainIndices.length === 0 || data.validationIndices.length === 0) {
    throw new MaskDetectorError({
      code: 'NO_SAMPLES',
      message: `training needs samples on both sides of the split, got ${data.trainIndices.length} train and ${data.validationIndices.length} validation`,
    });
  }
  const classes = data.classNames.length;
  const batchSize = options.batchSize ?? 32;
  const maxEpochs = options.maxEpochs ?? 30;
  const target = options.targetValidationAccuracy ?? 0.97;
  const maxShift = options.maxShift ?? 0.08;
  let randomDraws = options.resume?.randomDraws ?? 0;
  const seeded = seededRandom(options.seed ?? 0, randomDraws);
  const random = () => {
    randomDraws++;
    return seeded();
  };
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (const index of data.trainIndices) byClass[data.labels[index] as number]?.push(index);
  const presentClasses = byClass.filter((list) => list.length > 0);
  const validationLabels = data.validationIndices.map((index) => data.labels[index] as number);
  const steps = Math.ceil(data.trainIndices.length / batchSize);
  const epochs: EpochRecord[] = [...(options.resume?.epochs ?? [])];
  const restoreBest = options.restoreBestWeights ?? true;
  let best: MaskTrainingState['best'] = options.resume?.best;
  const finish = (stoppedBy: TrainingHistory['stoppedBy']): TrainingHistory => {
    const bestEpoch = best?.epoch ?? epochs.length;
    if (restoreBest && best && best.epoch !== epochs.length) model.setWeights(best.weights);
    if (best) tf.dispose(best.weights);
    return { epochs, stoppedBy, bestEpoch };
  };
  const last = epochs[epochs.length - 1];
  if (last && last.validationAccuracy > target) return finish('target');
  for (let epoch = epochs.length + 1; epoch <= maxEpochs; epoch++) {
    const started = performance.now();
    let lossSum = 0;
    let accuracySum = 0;
    for (let step = 0; step < steps; step++) {
      const batchIndices: number[] = [];
      for (let i = 0; i < batchSize; i++) {
        if (options.balancedSampling ?? true) {
          const list = presentClasses[Math.floor(random() * presentClasses.length)] as number[];
          batchIndices.push(list[Math.floor(random() * list.length)] as number);
        } else {
          batchIndices.push(
            data.trainIndices[Math.floor(random() * data.trainIndices.length)] as number,
          );
        }
      }
      const [x, y] = tf.tidy(() => {
        const raw = tf.gather(data.images, tf.tensor1d(batchIndices, 'int32'));
        const input = (options.augment ?? true) ? augmentBatch(raw, random, maxShift) : raw;
        return [
          input,
          targetsFor(
            batchIndices.map((i) => data.labels[i] as number),
            classes,
          ),
        ];
      });
      // A fresh dropout mask per step (tfjs reuses a seeded layer's mask), still reproducible.
      const restoreDropoutSeeds = seedDropoutForStep(model, (epoch - 1) * steps + step);
      let result: number[];
      try {
        result = (await model.trainOnBatch(x, y)) as number[];
      } finally {
        restoreDropoutSeeds();
        x.dispose();
        y.dispose();
      }
      lossSum += result[0] as number;
      accuracySum += result[1] as number;
    }
    const predictions = await predictBatches(model, data.images, data.validationIndices);
    const metrics = classificationMetrics(validationLabels, predictions.predicted, data.classNames);
    let validationLoss = 0;
    validationLabels.forEach((label, i) => {
      validationLoss -= Math.log(
        Math.max(1e-7, predictions.probabilities[i * classes + label] as number),
      );
    });
    const validationBalancedAccuracy = metrics.balancedAccuracy;
    const improved = !best || validationBalancedAccuracy > best.score;
    const record: EpochRecord = {
      epoch,
      trainLoss: lossSum / steps,
      trainAccuracy: accuracySum / steps,
      validationAccuracy: metrics.accuracy,
      validationBalancedAccuracy,
      validationLoss: validationLoss / validationLabels.length,
      improved,
      seconds: (performance.now() - started) / 1000,
    };
    epochs.push(record);
    if (improved) {
      if (best) tf.dispose(best.weights);
      // Weights are copied only when they may be restored.
      const weights = restoreBest ? model.getWeights().map((weight) => weight.clone()) : [];
      best = { epoch, score: validationBalancedAccuracy, weights };
    }
    await options.onEpoch?.(record, {
      epochs: [...epochs],
      randomDraws,
      ...(best ? { best } : {}),
    });
    if (record.validationAccuracy > target) return finish('target');
    if (options.deadline !== undefined && Date.now() > options.deadline) return finish('deadline');
  }
  return finish('maxEpochs');
}
