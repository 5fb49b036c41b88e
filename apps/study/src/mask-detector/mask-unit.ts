import { join } from 'node:path';
import {
  createTrainer,
  decodeTensor,
  decodeTrainerState,
  type EncodedTensor,
  type EncodedTrainerState,
  encodeTensor,
  encodeTrainerState,
} from '@actlab/backend';
import {
  buildMaskModel,
  type ClassificationMetrics,
  classificationMetrics,
  type EpochRecord,
  type MaskTrainingState,
  predictBatches,
  trainMaskModel,
} from '@actlab/mask-detector';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomically } from '../engine/atomic-files.js';
import type { Unit, UnitContext } from '../engine/study-kind.js';
import { imageGridPng } from './image-grid.js';
import { type MaskDataSettings, type MaskSet, maskData, maskSets } from './mask-data.js';
import type { MaskStudy } from './mask-study-schema.js';

/** What defines one mask model: the sets it trains on and how. */
export interface MaskUnitSettings extends MaskDataSettings {
  trainedOn: MaskSet[];
  /** Seeds the model's weights, sampling, augmentation and dropout; absent: `seed` does. */
  modelSeed?: number;
  maxEpochs: number;
  batchSize: number;
  targetValidationAccuracy: number;
}

/**
 * The settings every model of a mask study shares (all but `trainedOn`), as the plan gives
 * them and as the report's `metrics.csv` shows them.
 */
export function maskCommonSettings(
  study: MaskStudy,
  options: { quick: boolean; epochs?: number | null },
): Omit<MaskUnitSettings, 'trainedOn'> {
  return {
    size: options.quick ? study.quick.size : study.size,
    limit: options.quick ? study.quick.limit : null,
    seed: study.seed,
    margin: study.margin,
    minBoxSize: study.minBoxSize,
    maxEpochs: options.epochs ?? (options.quick ? study.quick.maxEpochs : study.maxEpochs),
    batchSize: study.batchSize,
    targetValidationAccuracy: study.targetValidationAccuracy,
  };
}

/** One evaluation of a model on one set. */
export interface Evaluation {
  set: string;
  metrics: ClassificationMetrics;
}

/** What a mask unit leaves in its `result.json`. */
export interface MaskUnitResult {
  id: string;
  label: string;
  status: 'completed';
  trainedOn: string;
  epochs: EpochRecord[];
  stoppedBy: string;
  /** The epoch whose weights were evaluated (the best validation balanced accuracy). */
  bestEpoch: number;
  /** Accuracy on the validation split of the set(s) it was trained on. */
  finalTestAccuracy: number;
  evaluations: Evaluation[];
  backend: string;
  /** Per set: what was loaded, clamped, skipped and split. */
  data: Record<MaskSet, Record<string, unknown>>;
  /** Crops shown in `validation-crops.png` and the most confident mistakes (`worst-mistakes.png`). */
  crops: number;
  mistakes: { file: string; box: string; actual: string; predicted: string; probability: number }[];
}

/** The unit folder's images of the validation crops and the worst mistakes. */
export const maskUnitImages = { crops: 'validation-crops.png', mistakes: 'worst-mistakes.png' };

/** The checkpoint of a mask model after an epoch: weights and Adam's state, the training's state. */
interface MaskCheckpoint {
  trainer: EncodedTrainerState;
  training: Omit<MaskTrainingState, 'best'> & {
    best?: { epoch: number; score: number; weights: EncodedTensor[] };
  };
}

/**
 * Trains one mask model (the seed's CNN) on its sets with a checkpoint after every epoch, so a
 * killed unit continues exactly from its last finished epoch; then evaluates it on every set and
 * draws its validation crops and worst mistakes.
 */
export async function runMaskUnit(
  unit: Unit<MaskUnitSettings>,
  context: UnitContext,
): Promise<MaskUnitResult> {
  const { settings } = unit;
  const data = await maskData(settings, context.dataDir);
  const { images, labels, classNames } = data;
  const seed = settings.modelSeed ?? settings.seed;
  const model = buildMaskModel({ size: settings.size, classes: 2, seed });
  // trainMaskModel trains; the tfjs trainer only carries the model's weights and Adam's state
  // (moments and running powers) in and out of checkpoints, bit for bit.
  const codec = await createTrainer(model, { optimizer: model.optimizer, trainer: 'tfjs' });
  try {
    const saved = await context.loadCheckpoint<MaskCheckpoint>();
    let resume: MaskTrainingState | undefined;
    // A checkpoint from before the trainer-state codec has no `trainer`: the model starts over.
    if (saved?.state.trainer) {
      await codec.importState(decodeTrainerState(saved.state.trainer));
      const { best, ...training } = saved.state.training;
      resume = {
        ...training,
        ...(best ? { best: { ...best, weights: best.weights.map(decodeTensor) } } : {}),
      };
    }
    const trainIndices = settings.trainedOn.flatMap((set) => data.train[set]);
    const ownIndices = settings.trainedOn.flatMap((set) => data.validation[set]);
    const history = await trainMaskModel(
      model,
      { images, labels, classNames, trainIndices, validationIndices: ownIndices },
      {
        maxEpochs: settings.maxEpochs,
        batchSize: settings.batchSize,
        targetValidationAccuracy: settings.targetValidationAccuracy,
        seed,
        ...(resume ? { resume } : {}),
        onEpoch: async (record, state) => {
          const checkpoint: MaskCheckpoint = {
            trainer: encodeTrainerState(await codec.exportState()),
            training: {
              epochs: state.epochs,
              randomDraws: state.randomDraws,
              ...(state.best
                ? {
                    best: {
                      epoch: state.best.epoch,
                      score: state.best.score,
                      weights: state.best.weights.map((tensor, i) =>
                        encodeTensor(String(i), tensor),
                      ),
                    },
                  }
                : {}),
            },
          };
          await context.saveCheckpoint(record.epoch, checkpoint);
          context.progress({
            step: record.epoch,
            steps: settings.maxEpochs,
            within: 1,
            done: true,
            line: `epoch ${record.epoch}: validation accuracy ${record.validationAccuracy.toFixed(4)}, balanced ${record.validationBalancedAccuracy.toFixed(4)} (${record.seconds.toFixed(0)} s)`,
          });
        },
      },
    );
    const evaluations: Evaluation[] = [];
    for (const set of maskSets) {
      const own = settings.trainedOn.includes(set);
      // On its own set a model is judged on the validation split; on the other set, on all of it.
      const indices = own ? data.validation[set] : data.all[set];
      const predictions = await predictBatches(model, images, indices);
      evaluations.push({
        set: own ? `${set} validation` : `${set} (all, unseen set)`,
        metrics: classificationMetrics(
          indices.map((i) => labels[i] as number),
          predictions.predicted,
          classNames,
        ),
      });
    }
    const own = await predictBatches(model, images, ownIndices);
    const cropOf = (index: number) =>
      tf.tidy(() => tf.gather(images, [index]).dataSync() as Float32Array);
    const gridIndices = ownIndices.slice(0, 48);
    await writeFileAtomically(
      join(context.folder, maskUnitImages.crops),
      await imageGridPng(
        gridIndices.map((index, i) => ({
          pixels: cropOf(index),
          correct: own.predicted[i] === labels[index],
        })),
        settings.size,
        12,
      ),
    );
    const mistakes = ownIndices
      .map((index, i) => {
        const predicted = own.predicted[i] as number;
        return { index, predicted, probability: own.probabilities[i * 2 + predicted] as number };
      })
      .filter((entry) => entry.predicted !== labels[entry.index])
      .sort((a, b) => b.probability - a.probability)
      .slice(0, 16);
    await writeFileAtomically(
      join(context.folder, maskUnitImages.mistakes),
      await imageGridPng(
        mistakes.map((entry) => ({ pixels: cropOf(entry.index), correct: false })),
        settings.size,
        8,
      ),
    );
    return {
      id: unit.id,
      label: unit.label,
      status: 'completed',
      trainedOn: settings.trainedOn.length > 1 ? 'both' : (settings.trainedOn[0] as string),
      epochs: history.epochs,
      stoppedBy: history.stoppedBy,
      bestEpoch: history.bestEpoch,
      finalTestAccuracy: classificationMetrics(
        ownIndices.map((i) => labels[i] as number),
        own.predicted,
        classNames,
      ).accuracy,
      evaluations,
      backend: context.backend,
      data: data.summaries,
      crops: gridIndices.length,
      mistakes: mistakes.map((entry) => {
        const sample = data.samples[entry.index];
        const box = sample?.box;
        return {
          file: (sample?.file ?? '').replace(context.dataDir ?? '', '$ACTLAB_DATA_DIR'),
          box: box ? `${box.x},${box.y},${box.width},${box.height}` : '—',
          actual: classNames[labels[entry.index] as number] as string,
          predicted: classNames[entry.predicted] as string,
          probability: entry.probability,
        };
      }),
    };
  } finally {
    codec.dispose();
    model.optimizer.dispose();
    model.dispose();
  }
}
