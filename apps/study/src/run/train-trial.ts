import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { learnedParameters } from '@actlab/activations';
import {
  createTrainer,
  decodeTrainerState,
  encodeTrainerState,
  type Trainer,
  type TrainerRequest,
} from '@actlab/backend';
import { shuffledIndices } from '@actlab/mnist-loader';
import { deriveSeed } from '@actlab/seeded-random';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { readJsonIfExists, writeJsonAtomic } from '../engine/atomic-files.js';
import type { Trial } from '../study/expand-trials.js';
import { buildModel } from './build-model.js';
import { fillBatch, type LabelledImages, type TrialData } from './trial-data.js';
import type {
  EpochMetrics,
  GradientRecord,
  TrialCheckpoint,
  TrialResult,
} from './trial-records.js';

/** Progress of a running trial, sent to the display. */
export interface TrialProgress {
  trialId: string;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Set once an epoch is finished and measured. */
  metrics?: EpochMetrics;
}

/** Probes a model on the fixed probe batch; returns one record per target. */
export type GradientProbeFunction = (
  model: LayersModel,
  xs: tf.Tensor2D,
  ys: tf.Tensor2D,
  epoch: number,
) => GradientRecord[];

/** What a trial needs besides its settings. */
export interface TrainTrialOptions {
  trial: Trial;
  data: TrialData;
  /** The trial's own folder; created when missing. */
  folder: string;
  backend: string;
  /** Fused WebAssembly trainer for Dense stacks (`auto`: whenever the model qualifies) or stock tfjs. */
  trainer?: TrainerRequest;
  probe?: GradientProbeFunction;
  probeBatchSize: number;
  /** Record the learnable activations' parameters after every epoch. */
  recordLearnedParameters?: boolean;
  onProgress?: (progress: TrialProgress) => void;
  /** Where checkpoints go; default `checkpoint.json` in `folder`. */
  checkpoints?: CheckpointStore;
  /** Test hook: stop (as if killed) after this many epochs of this call. */
  stopAfterEpochs?: number;
}

/** Loads and saves a trial's per-epoch checkpoint. */
export interface CheckpointStore {
  load(): Promise<TrialCheckpoint | undefined>;
  save(checkpoint: TrialCheckpoint): Promise<void>;
}

/** Files of a trial folder. */
export const trialFiles = {
  config: 'config.json',
  metrics: 'metrics.json',
  gradients: 'gradients.json',
  checkpoint: 'checkpoint.json',
  result: 'result.json',
} as const;

/** Samples of the training split measured for the per-epoch training loss and accuracy. */
const trainEvaluationLimit = 10_000;
const evaluationChunk = 1000;

/** Mean cross-entropy and accuracy of the trainer's predictions on the first `limit` samples. */
function evaluate(
  trainer: Trainer,
  set: LabelledImages,
  data: TrialData,
  limit = set.count,
): { loss: number; accuracy: number } {
  const count = Math.min(limit, set.count);
  const { inputSize, classes } = data;
  const xs = new Float32Array(evaluationChunk * inputSize);
  const ys = new Float32Array(evaluationChunk * classes);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < count; start += evaluationChunk) {
    const size = Math.min(evaluationChunk, count - start);
    fillBatch(set, null, start, size, inputSize, classes, xs, ys);
    const probabilities = trainer.predict(xs.subarray(0, size * inputSize));
    for (let row = 0; row < size; row++) {
      const label = set.labels[start + row] as number;
      let best = 0;
      for (let k = 1; k < classes; k++) {
        if (
          (probabilities[row * classes + k] as number) >
          (probabilities[row * classes + best] as number)
        )
          best = k;
      }
      if (best === label) correct++;
      const p = probabilities[row * classes + label] as number;
      // Same clipping as the training loss; NaN stays NaN so divergence is seen.
      lossSum -= Math.log(Math.min(Math.max(p, 1e-7), 1 - 1e-7));
    }
  }
  return { loss: lossSum / count, accuracy: correct / count };
}

function weightsAreFinite(model: LayersModel): boolean {
  return tf.tidy(() => {
    for (const weight of model.weights) {
      if ((tf.all(tf.isFinite(weight.read())).dataSync()[0] as number) === 0) return false;
    }
    return true;
  });
}

/**
 * Trains one trial epoch by epoch, measuring after each epoch and saving a checkpoint, and
 * writes `result.json` last. A trial with a checkpoint continues from it and ends with the same
 * numbers as an uninterrupted run: shuffles are derived from (seed, epoch), and the weights and
 * optimizer state are restored exactly.
 */
export async function trainTrial(options: TrainTrialOptions): Promise<TrialResult | undefined> {
  const { trial, data, folder } = options;
  const { settings } = trial;
  await mkdir(folder, { recursive: true });
  await writeJsonAtomic(join(folder, trialFiles.config), {
    id: trial.id,
    label: trial.label,
    settings,
  });

  const model = buildModel(settings, data.inputSize, data.classes);
  let trainer: Trainer | undefined;
  const probeCount = Math.min(options.probeBatchSize, data.train.count);
  const probeXs = new Float32Array(probeCount * data.inputSize);
  const probeYs = new Float32Array(probeCount * data.classes);
  fillBatch(data.train, null, 0, probeCount, data.inputSize, data.classes, probeXs, probeYs);
  const probeInputs = tf.tensor2d(probeXs, [probeCount, data.inputSize]);
  const probeTargets = tf.tensor2d(probeYs, [probeCount, data.classes]);

  try {
    const checkpointPath = join(folder, trialFiles.checkpoint);
    const store: CheckpointStore = options.checkpoints ?? {
      load: async () => {
        const saved = await readJsonIfExists<TrialCheckpoint>(checkpointPath);
        return saved?.trialId === trial.id ? saved : undefined;
      },
      save: (checkpoint) => writeJsonAtomic(checkpointPath, checkpoint),
    };
    const loaded = await store.load();
    // A checkpoint from before the trainer-state codec has no `trainer`: the trial starts over.
    const checkpoint = loaded?.trainer ? loaded : undefined;
    let metrics: EpochMetrics[] = [];
    let gradients: GradientRecord[] = [];
    let trainSeconds = 0;
    let firstEpoch = 1;
    const saved = checkpoint ? decodeTrainerState(checkpoint.trainer) : undefined;
    // A checkpoint continues with the trainer that wrote it, so the run goes on exactly.
    trainer = await createTrainer(model, {
      optimizer: settings.optimizer,
      trainer: saved?.trainer ?? options.trainer ?? 'auto',
      batchSize: settings.batchSize,
    });
    if (checkpoint && saved) {
      await trainer.importState(saved);
      metrics = checkpoint.metrics;
      gradients = checkpoint.gradients;
      trainSeconds = checkpoint.trainSeconds;
      firstEpoch = checkpoint.epoch + 1;
    } else if (options.probe) {
      gradients.push(...options.probe(model, probeInputs, probeTargets, 0));
    }

    const batchSize = settings.batchSize;
    const batches = Math.ceil(data.train.count / batchSize);
    const xs = new Float32Array(batchSize * data.inputSize);
    const ys = new Float32Array(batchSize * data.classes);
    let divergedAtEpoch: number | null = null;
    let epochsThisCall = 0;

    for (let epoch = firstEpoch; epoch <= settings.epochs; epoch++) {
      if (options.stopAfterEpochs !== undefined && epochsThisCall >= options.stopAfterEpochs) {
        return undefined;
      }
      const epochStart = performance.now();
      const order = shuffledIndices(data.train.count, deriveSeed(settings.seed, epoch));
      for (let batch = 0; batch < batches; batch++) {
        const start = batch * batchSize;
        const size = Math.min(batchSize, data.train.count - start);
        fillBatch(data.train, order, start, size, data.inputSize, data.classes, xs, ys);
        trainer.trainBatch(
          xs.subarray(0, size * data.inputSize),
          ys.subarray(0, size * data.classes),
        );
        if (options.onProgress && (batch % 50 === 0 || batch === batches - 1)) {
          options.onProgress({
            trialId: trial.id,
            epoch,
            epochs: settings.epochs,
            batch: batch + 1,
            batches,
          });
        }
      }
      const epochTrainSeconds = (performance.now() - epochStart) / 1000;
      trainSeconds += epochTrainSeconds;
      trainer.syncModel();

      const train = evaluate(trainer, data.train, data, trainEvaluationLimit);
      const validation = data.validation ? evaluate(trainer, data.validation, data) : null;
      const test = evaluate(trainer, data.test, data);
      const finite =
        Number.isFinite(train.loss) && Number.isFinite(test.loss) && weightsAreFinite(model);
      const epochMetrics: EpochMetrics = {
        epoch,
        trainLoss: train.loss,
        trainAccuracy: train.accuracy,
        validationLoss: validation?.loss ?? null,
        validationAccuracy: validation?.accuracy ?? null,
        testLoss: test.loss,
        testAccuracy: test.accuracy,
        trainSeconds: epochTrainSeconds,
        wallSeconds: 0,
        ...(options.recordLearnedParameters ? { learnedParameters: learnedParameters(model) } : {}),
      };
      if (finite && options.probe) {
        gradients.push(...options.probe(model, probeInputs, probeTargets, epoch));
      }
      epochMetrics.wallSeconds = (performance.now() - epochStart) / 1000;
      metrics.push(epochMetrics);
      options.onProgress?.({
        trialId: trial.id,
        epoch,
        epochs: settings.epochs,
        batch: batches,
        batches,
        metrics: epochMetrics,
      });
      await writeJsonAtomic(join(folder, trialFiles.metrics), metrics);
      await writeJsonAtomic(join(folder, trialFiles.gradients), gradients);
      if (!finite) {
        divergedAtEpoch = epoch;
        break;
      }
      await store.save({
        trialId: trial.id,
        epoch,
        trainer: encodeTrainerState(await trainer.exportState()),
        metrics,
        gradients,
        trainSeconds,
      });
      epochsThisCall++;
    }

    const last = metrics[metrics.length - 1];
    const result: TrialResult = {
      id: trial.id,
      label: trial.label,
      settings,
      status: divergedAtEpoch === null ? 'completed' : 'diverged',
      divergedAtEpoch,
      epochs: metrics,
      finalTestAccuracy: last?.testAccuracy ?? Number.NaN,
      backend: options.backend,
      trainer: trainer.kind,
      trainSeconds,
      resumed: checkpoint !== undefined,
    };
    await writeJsonAtomic(join(folder, trialFiles.result), result);
    return result;
  } finally {
    probeInputs.dispose();
    probeTargets.dispose();
    trainer?.dispose();
    model.dispose();
  }
}
