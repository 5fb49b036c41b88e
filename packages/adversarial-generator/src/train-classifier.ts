import { seededRandom, shuffleInPlace } from '@actlab/seeded-random';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Augmentation } from './augment.js';
import { buildMnistClassifier } from './classifier.js';
import { AdversarialError } from './errors.js';
import { fitAugmentedEpoch, fitEpoch } from './fit-epoch.js';

/** Images [n, h, w, c] in [0, 1] and their one-hot labels [n, classes]. */
export interface LabelledImages {
  images: tf.Tensor4D;
  labels: tf.Tensor2D;
}

/** What {@link trainMnistClassifier} measured after one epoch. */
export interface ClassifierEpoch {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss (categorical cross-entropy) over the epoch. */
  trainLoss: number;
  /** Accuracy on the held-out validation images after the epoch. */
  validationAccuracy: number;
  /** True when this epoch beat every earlier one: the model now holds the best weights. */
  improved: boolean;
  /** Wall-clock seconds of this epoch (training and validation). */
  seconds: number;
}

/** Options of {@link trainMnistClassifier}. */
export interface TrainClassifierOptions {
  /** Training images and one-hot labels; `validationFraction` of them is held out. */
  train: LabelledImages;
  /** Test images, measured once with the best weights (optional). */
  test?: LabelledImages;
  /** Share of `train` held out for validation, in (0, 1). Default 0.1. */
  validationFraction?: number;
  /** Most epochs. Default 50. */
  maxEpochs?: number;
  /** Epochs without a better validation accuracy before stopping. Default 3. */
  patience?: number;
  /** Mini-batch size. Default 64. */
  batchSize?: number;
  /** Adam learning rate. Default 0.001. */
  learningRate?: number;
  /** Seed of the weight initialisers, the validation split and the shuffling. Default 1. */
  seed?: number;
  /**
   * Wall-clock budget in seconds: no epoch starts that would, at the mean epoch time so far, end
   * after it. Default: none.
   */
  timeBudgetSeconds?: number;
  /** A model to train instead of {@link buildMnistClassifier}'s CNN (it is compiled here). */
  model?: tfl.LayersModel;
  /**
   * Changes each training batch before the step (e.g. {@link imageAugmentation}'s flips and
   * shifts), seeded by the run's seed, the epoch and the batch. Default: none (plain `model.fit`).
   */
  augment?: Augmentation;
  /**
   * Continues a run from a checkpoint: `model` holds the weights after the last epoch of
   * `epochs`, the loop starts at the next epoch (with the same split and the same shuffles as an
   * uninterrupted run), `bestWeights` are the weights of the best epoch so far, and
   * `optimizerWeights` (from `model.optimizer.getWeights()`) restore Adam's moments.
   */
  resume?: {
    epochs: ClassifierEpoch[];
    bestWeights: tf.Tensor[];
    optimizerWeights?: Awaited<ReturnType<tf.Optimizer['getWeights']>>;
  };
  /**
   * Called after each epoch; when `epoch.improved`, `model` holds the best weights so far (save
   * it then to keep a checkpoint).
   */
  onEpoch?: (epoch: ClassifierEpoch, model: tfl.LayersModel) => void | Promise<void>;
}

/** What {@link trainMnistClassifier} returns. */
export interface TrainedClassifier {
  /** The model with the best validation weights restored. */
  model: tfl.LayersModel;
  /** One entry per epoch run. */
  epochs: ClassifierEpoch[];
  /** Epoch whose weights the model holds. */
  bestEpoch: number;
  /** Validation accuracy of those weights. */
  validationAccuracy: number;
  /** Test accuracy of those weights, when `test` was given. */
  testAccuracy?: number;
  /** Why training ended. */
  stoppedBy: 'patience' | 'maxEpochs' | 'timeBudget';
  /** Wall-clock seconds of the whole run. */
  seconds: number;
  /** Images trained on, and held out for validation. */
  trainCount: number;
  validationCount: number;
}

/**
 * Trains the seed's MNIST CNN (or `options.model`): Adam, categorical cross-entropy, batch 64,
 * 10 % of the training images held out, early stopping with patience 3 on validation accuracy,
 * best weights restored, up to 50 epochs. Deterministic for a seed on a given backend.
 *
 * @param options data, schedule and callbacks; see {@link TrainClassifierOptions}
 * @returns the trained model, its epoch records and measured accuracies
 * @throws {@link AdversarialError} `INVALID_OPTION` for a bad number or too few images;
 *   `SHAPE_MISMATCH` when images and labels disagree or do not fit the model
 */
export async function trainMnistClassifier(
  options: TrainClassifierOptions,
): Promise<TrainedClassifier> {
  const {
    train,
    test,
    validationFraction = 0.1,
    maxEpochs = 50,
    patience = 3,
    batchSize = 64,
    learningRate = 0.001,
    seed = 1,
    timeBudgetSeconds = Number.POSITIVE_INFINITY,
    onEpoch,
    augment,
    resume,
  } = options;
  checkLabelled('train', train);
  if (test) checkLabelled('test', test);
  if (!(validationFraction > 0 && validationFraction < 1)) {
    invalid(`validationFraction must be in (0, 1), got ${String(validationFraction)}.`);
  }
  for (const [name, value] of [
    ['maxEpochs', maxEpochs],
    ['patience', patience],
    ['batchSize', batchSize],
    ['seed', seed],
  ] as const) {
    if (!Number.isInteger(value) || value < (name === 'seed' ? 0 : 1)) {
      invalid(`${name} must be a positive integer, got ${String(value)}.`);
    }
  }
  if (!(learningRate > 0 && Number.isFinite(learningRate))) {
    invalid(`learningRate must be a finite number > 0, got ${String(learningRate)}.`);
  }
  if (!(timeBudgetSeconds > 0)) {
    invalid(`timeBudgetSeconds must be > 0, got ${String(timeBudgetSeconds)}.`);
  }
  const total = train.images.shape[0];
  const validationCount = Math.round(total * validationFraction);
  const trainCount = total - validationCount;
  if (validationCount < 1 || trainCount < 1) {
    invalid(
      `train holds ${total} images: too few to hold out ${validationFraction} for validation.`,
    );
  }
  const [, height, width, channels] = train.images.shape;
  const classes = train.labels.shape[1];
  const model =
    options.model ?? buildMnistClassifier({ seed, inputShape: [height, width, channels], classes });
  const modelShape = (model.inputs[0]?.shape ?? []).slice(1);
  if (modelShape.join() !== [height, width, channels].join()) {
    throw new AdversarialError({
      code: 'SHAPE_MISMATCH',
      message: `The model takes images of shape [${modelShape.join(', ')}], the training images are [${height}, ${width}, ${channels}].`,
    });
  }
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: 'categoricalCrossentropy',
  });
  if (resume?.optimizerWeights) await model.optimizer.setWeights(resume.optimizerWeights);

  const random = seededRandom(seed);
  const order = shuffled(total, random);
  const [validation, fit] = tf.tidy(() => {
    const validationIndices = tf.tensor1d(order.slice(0, validationCount), 'int32');
    const fitIndices = tf.tensor1d(order.slice(validationCount), 'int32');
    return [
      {
        images: tf.gather(train.images, validationIndices),
        labels: tf.gather(train.labels, validationIndices),
      },
      { images: tf.gather(train.images, fitIndices), labels: tf.gather(train.labels, fitIndices) },
    ];
  });

  const started = Date.now();
  const epochs: ClassifierEpoch[] = [...(resume?.epochs ?? [])];
  let best: tf.Tensor[] | null = resume ? resume.bestWeights.map((weight) => weight.clone()) : null;
  const bestSoFar = epochs.filter((record) => record.improved).at(-1);
  let bestEpoch = bestSoFar?.epoch ?? 0;
  let bestAccuracy = bestSoFar?.validationAccuracy ?? -1;
  // Replaying the finished epochs' shuffles puts the generator where the interrupted run left it.
  for (const _ of epochs) shuffled(trainCount, random);
  let stoppedBy: TrainedClassifier['stoppedBy'] = 'maxEpochs';
  try {
    for (let epoch = epochs.length + 1; epoch <= maxEpochs; epoch++) {
      const elapsed = (Date.now() - started) / 1000;
      const meanEpoch =
        epochs.length > 0 ? epochs.reduce((sum, e) => sum + e.seconds, 0) / epochs.length : 0;
      if (elapsed + meanEpoch > timeBudgetSeconds) {
        stoppedBy = 'timeBudget';
        break;
      }
      const epochStarted = Date.now();
      // Shuffled here with the seed rather than by model.fit, whose shuffle is unseeded.
      const order = shuffled(trainCount, random);
      const loss = augment
        ? await fitAugmentedEpoch(model, fit, order, batchSize, (images, batch) =>
            augment(images, (seed * 1000 + epoch) * 100000 + batch),
          )
        : await fitEpoch(model, fit, order, batchSize);
      const validationAccuracy = measureAccuracy(model, validation.images, validation.labels);
      const improved = validationAccuracy > bestAccuracy;
      if (improved) {
        bestAccuracy = validationAccuracy;
        bestEpoch = epoch;
        if (best) tf.dispose(best);
        best = model.getWeights().map((weight) => weight.clone());
      }
      const record: ClassifierEpoch = {
        epoch,
        trainLoss: loss,
        validationAccuracy,
        improved,
        seconds: (Date.now() - epochStarted) / 1000,
      };
      epochs.push(record);
      await onEpoch?.(record, model);
      if (epoch - bestEpoch >= patience) {
        stoppedBy = 'patience';
        break;
      }
    }
    if (best) model.setWeights(best);
  } finally {
    if (best) tf.dispose(best);
    tf.dispose([validation.images, validation.labels, fit.images, fit.labels]);
  }
  const testAccuracy = test ? measureAccuracy(model, test.images, test.labels) : undefined;
  return {
    model,
    epochs,
    bestEpoch,
    validationAccuracy: bestAccuracy,
    ...(testAccuracy === undefined ? {} : { testAccuracy }),
    stoppedBy,
    seconds: (Date.now() - started) / 1000,
    trainCount,
    validationCount,
  };
}

/**
 * Share of `images` whose most probable class is the label's (one-hot) class.
 *
 * @param model a classifier with a softmax (or logit) output [n, classes]
 * @param images [n, h, w, c]
 * @param labels one-hot [n, classes]
 * @param batchSize images per forward pass. Default 500.
 */
export function measureAccuracy(
  model: tfl.LayersModel,
  images: tf.Tensor4D,
  labels: tf.Tensor2D,
  batchSize = 500,
): number {
  const count = images.shape[0];
  let correct = 0;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    correct += tf.tidy(() => {
      const x = tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]);
      const y = tf.slice(labels, [start, 0], [size, -1]);
      const predicted = tf.argMax(model.predict(x) as tf.Tensor, 1);
      return tf.sum(tf.cast(tf.equal(predicted, tf.argMax(y, 1)), 'int32')).dataSync()[0] ?? 0;
    });
  }
  return count === 0 ? 0 : correct / count;
}

function checkLabelled(name: string, set: LabelledImages): void {
  const { images, labels } = set ?? ({} as Partial<LabelledImages>);
  if (images?.rank !== 4 || labels?.rank !== 2) {
    throw new AdversarialError({
      code: 'SHAPE_MISMATCH',
      message: `${name} must hold images [n, h, w, c] and one-hot labels [n, classes], got images [${images?.shape.join(', ') ?? ''}] and labels [${labels?.shape.join(', ') ?? ''}].`,
    });
  }
  if (images.shape[0] !== labels.shape[0]) {
    throw new AdversarialError({
      code: 'SHAPE_MISMATCH',
      message: `${name} has ${images.shape[0]} images but ${labels.shape[0]} labels; pass one label per image.`,
    });
  }
}

function invalid(message: string): never {
  throw new AdversarialError({ code: 'INVALID_OPTION', message });
}

/** 0…count−1 in an order drawn from `random`. */
function shuffled(count: number, random: () => number): Int32Array {
  return shuffleInPlace(
    Int32Array.from({ length: count }, (_, i) => i),
    random,
  );
}
