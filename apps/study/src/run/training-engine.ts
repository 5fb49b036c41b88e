import { analyzeDenseStack, createDenseTrainer, type DenseTrainer } from '@actlab/backend';
import { ActlabError } from '@actlab/errors';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  type Checkpoint,
  decodeValues,
  encodeOptimizer,
  encodeValues,
  restoreOptimizer,
  type SavedOptimizer,
} from './checkpoint.js';

/** Which code trains a trial: the fused WebAssembly Dense-stack trainer or stock tfjs. */
export type TrainerKind = 'fused' | 'tfjs';

/** What the study asks for: `auto` fuses every model that qualifies. */
export type TrainerRequest = 'auto' | TrainerKind;

/**
 * One trial's training loop body, whichever code runs it. The tfjs model always holds the
 * weights after {@link TrainingEngine.syncModel}, so evaluation hooks (probe, learned
 * parameters, checkpoints) see the same model either way.
 */
export interface TrainingEngine {
  readonly kind: TrainerKind;
  /** One optimizer step on `size` samples (row-major pixels, one-hot targets). */
  trainBatch(xs: Float32Array, ys: Float32Array, size: number): void;
  /** Class probabilities of `size` samples, row-major. */
  predict(xs: Float32Array, size: number): Float32Array;
  /** Puts the current weights into the tfjs model. */
  syncModel(): void;
  /** The optimizer's state, for a checkpoint. */
  saveOptimizer(): Promise<SavedOptimizer>;
  /** Restores the optimizer's state of a checkpoint (the model's weights already restored). */
  restoreOptimizer(checkpoint: Checkpoint): Promise<void>;
  dispose(): void;
}

class TfjsEngine implements TrainingEngine {
  readonly kind = 'tfjs';
  constructor(
    private readonly model: LayersModel,
    private readonly optimizer: tf.Optimizer,
    private readonly inputSize: number,
    private readonly classes: number,
  ) {}

  trainBatch(xs: Float32Array, ys: Float32Array, size: number): void {
    tf.tidy(() => {
      const input = tf.tensor2d(xs.subarray(0, size * this.inputSize), [size, this.inputSize]);
      const target = tf.tensor2d(ys.subarray(0, size * this.classes), [size, this.classes]);
      this.optimizer.minimize(() => {
        const predicted = this.model.apply(input, { training: true }) as tf.Tensor;
        const clipped = tf.clipByValue(predicted, 1e-7, 1 - 1e-7);
        return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.log(clipped)), -1))) as tf.Scalar;
      }, false);
    });
  }

  predict(xs: Float32Array, size: number): Float32Array {
    return tf.tidy(() => {
      const input = tf.tensor2d(xs.subarray(0, size * this.inputSize), [size, this.inputSize]);
      return (this.model.predict(input) as tf.Tensor).dataSync() as Float32Array;
    });
  }

  syncModel(): void {}

  async saveOptimizer(): Promise<SavedOptimizer> {
    return { engine: 'tfjs', optimizer: await encodeOptimizer(this.optimizer) };
  }

  async restoreOptimizer(checkpoint: Checkpoint): Promise<void> {
    await restoreOptimizer(this.optimizer, checkpoint.optimizer);
  }

  dispose(): void {}
}

class FusedEngine implements TrainingEngine {
  readonly kind = 'fused';
  constructor(
    private readonly trainer: DenseTrainer,
    private readonly inputSize: number,
    private readonly classes: number,
  ) {}

  trainBatch(xs: Float32Array, ys: Float32Array, size: number): void {
    this.trainer.trainBatch(
      xs.subarray(0, size * this.inputSize),
      ys.subarray(0, size * this.classes),
    );
  }

  predict(xs: Float32Array, size: number): Float32Array {
    return this.trainer.predict(xs.subarray(0, size * this.inputSize));
  }

  syncModel(): void {
    this.trainer.writeWeights();
  }

  async saveOptimizer(): Promise<SavedOptimizer> {
    const state = this.trainer.exportState();
    return {
      engine: 'fused',
      optimizer: state.slots.map(({ name, values }) => encodeValues(name, values)),
      fused: { optimizer: state.optimizer, iterations: state.iterations, powers: state.powers },
    };
  }

  async restoreOptimizer(checkpoint: Checkpoint): Promise<void> {
    this.trainer.readWeights();
    if (!checkpoint.fused) {
      throw new ActlabError({
        code: 'CHECKPOINT_INVALID',
        message:
          'the checkpoint says it was written by the fused trainer but has no trainer state.',
      });
    }
    this.trainer.importState({
      ...checkpoint.fused,
      slots: checkpoint.optimizer.map((saved) => ({
        name: saved.name,
        values: decodeValues(saved),
      })),
    });
  }

  dispose(): void {
    this.trainer.dispose();
  }
}

/** Why a trial trains with stock tfjs although fusing was allowed, or undefined when it fuses. */
export function reasonNotFused(model: LayersModel): string | undefined {
  const analysis = analyzeDenseStack(model);
  return analysis.fusable ? undefined : analysis.reason;
}

/**
 * Chooses the trainer for a trial: a checkpoint's own trainer when resuming (so the run
 * continues exactly), else the fused one for models it can train unless `tfjs` was asked for.
 *
 * @throws {@link ActlabError} `TRAINER_UNAVAILABLE` when `fused` is required but the model
 *   does not qualify
 */
export async function createTrainingEngine(options: {
  model: LayersModel;
  optimizer: tf.Optimizer;
  request: TrainerRequest;
  resumeFrom?: TrainerKind;
  batchSize: number;
  inputSize: number;
  classes: number;
}): Promise<TrainingEngine> {
  const { model, optimizer, inputSize, classes } = options;
  const wanted = options.resumeFrom ?? options.request;
  const reason = wanted === 'tfjs' ? 'tfjs' : reasonNotFused(model);
  if (reason === undefined) {
    const trainer = await createDenseTrainer(model, { optimizer, batchSize: options.batchSize });
    return new FusedEngine(trainer, inputSize, classes);
  }
  if (wanted === 'fused') {
    throw new ActlabError({
      code: 'TRAINER_UNAVAILABLE',
      message: `the fused trainer cannot train this trial: ${reason}. Use --trainer auto or tfjs.`,
    });
  }
  return new TfjsEngine(model, optimizer, inputSize, classes);
}
