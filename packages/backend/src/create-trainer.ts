import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { analyzeDenseStack } from './analyze-dense-stack.js';
import { BackendError } from './backend-error.js';
import {
  createDenseTrainer,
  type DenseTrainer,
  type EpochResult,
  type SampleMatrix,
  type TrainEpochOptions,
} from './dense-trainer.js';
import { readModelWeights, writeModelWeights } from './model-weights.js';
import {
  createTfjsOptimizer,
  type OptimizerName,
  type OptimizerSpec,
  resolveOptimizer,
} from './optimizer-spec.js';
import { TfjsTrainer } from './tfjs-trainer.js';
import { assertTrainerKind, type TrainerKind, type TrainerState } from './trainer-state.js';

/** Which trainer {@link createTrainer} uses: `auto` fuses every model that qualifies. */
export type TrainerRequest = 'auto' | TrainerKind;

/** Settings of {@link createTrainer}. */
export interface TrainerOptions {
  /**
   * The optimizer: a spec (`{name: 'adam', learningRate: 0.001}`; the trainer creates and
   * frees its tfjs optimizer) or a tfjs optimizer (used by the tfjs trainer and mirrored by the
   * fused one; the caller frees it).
   */
  optimizer: OptimizerSpec | tf.Optimizer;
  /**
   * `fused` (the WebAssembly Dense-stack trainer; fails for other models), `tfjs` (stock
   * `optimizer.minimize`, any model) or `auto` (fused when the model qualifies). Default `auto`.
   * When resuming, pass the `trainer` of the saved {@link TrainerState}.
   */
  trainer?: TrainerRequest;
  /** Largest batch expected (the fused trainer's buffers grow when a larger one comes). Default 128. */
  batchSize?: number;
}

/**
 * Training of one tfjs-layers model with categorical cross-entropy on a softmax output,
 * whichever code runs it. Samples are flat row-major float32 values (or tensors); targets are
 * one-hot (or soft) rows. The tfjs model holds the current weights after {@link syncModel}
 * (the fused trainer keeps its own copy while it trains).
 */
export interface Trainer {
  readonly kind: TrainerKind;
  /**
   * Why the model trains with stock tfjs although `auto` allowed fusing; undefined when it
   * fuses or when `tfjs` was asked for.
   */
  readonly notFusedReason: string | undefined;
  /** Values per sample in `xs` and in `ys`. */
  readonly inputSize: number;
  readonly outputSize: number;
  /** Optimizer steps taken so far. */
  readonly iterations: number;
  /**
   * One optimizer step on one batch; returns the batch's mean loss.
   *
   * @throws {@link BackendError} `SHAPE_MISMATCH` when the sizes do not fit the model
   */
  trainBatch(xs: SampleMatrix, ys: SampleMatrix): number;
  /**
   * One pass over a data set in batches in the given order (the last batch may be smaller).
   *
   * @throws {@link BackendError} `SHAPE_MISMATCH`, `INVALID_OPTION`
   */
  trainEpoch(xs: SampleMatrix, ys: SampleMatrix, options: TrainEpochOptions): EpochResult;
  /** The model's outputs (class probabilities) for `xs`, row-major, with the current weights. */
  predict(xs: SampleMatrix): Float32Array;
  /** Puts the current weights into the tfjs model (a no-op for the tfjs trainer). */
  syncModel(): void;
  /** The weights and optimizer state, copied out: enough to continue exactly. */
  exportState(): Promise<TrainerState>;
  /**
   * Restores weights and optimizer state from {@link Trainer.exportState} of a trainer of the
   * same kind, model and optimizer; training then continues bit for bit as if never stopped.
   *
   * @throws {@link BackendError} `STATE_MISMATCH` for a state of another trainer kind,
   *   optimizer or model
   */
  importState(state: TrainerState): Promise<void>;
  /** Frees what the trainer owns (the fused module, an optimizer it created). */
  dispose(): void;
}

class FusedTrainer implements Trainer {
  readonly kind = 'fused' as const;
  readonly notFusedReason = undefined;
  constructor(
    private readonly dense: DenseTrainer,
    private readonly model: LayersModel,
  ) {}
  get inputSize(): number {
    return this.dense.inputSize;
  }
  get outputSize(): number {
    return this.dense.outputSize;
  }
  get iterations(): number {
    return this.dense.iterations;
  }
  trainBatch(xs: SampleMatrix, ys: SampleMatrix): number {
    return this.dense.trainBatch(xs, ys);
  }
  trainEpoch(xs: SampleMatrix, ys: SampleMatrix, options: TrainEpochOptions): EpochResult {
    return this.dense.trainEpoch(xs, ys, options);
  }
  predict(xs: SampleMatrix): Float32Array {
    return this.dense.predict(xs);
  }
  syncModel(): void {
    this.dense.writeWeights();
  }
  async exportState(): Promise<TrainerState> {
    this.dense.writeWeights();
    const { optimizer, iterations, powers, slots } = this.dense.exportState();
    return {
      trainer: 'fused',
      optimizer,
      iterations,
      powers,
      weights: readModelWeights(this.model),
      slots: slots.map(({ name, values }) => ({
        name,
        shape: [values.length],
        dtype: 'float32',
        values,
      })),
    };
  }
  async importState(state: TrainerState): Promise<void> {
    assertTrainerKind(state, 'fused');
    if (!state.powers) {
      throw new BackendError({
        code: 'STATE_MISMATCH',
        message: 'the state has no Adam powers, so it was not written by the fused trainer.',
      });
    }
    writeModelWeights(this.model, state.weights);
    this.dense.readWeights();
    // Buffers go by position, as in tfjs's optimizers: a rebuilt model's layer names differ.
    const names = this.dense.exportState().slots.map(({ name }) => name);
    this.dense.importState({
      optimizer: state.optimizer as OptimizerName,
      iterations: state.iterations,
      powers: state.powers,
      slots: state.slots.map(({ name, values }, index) => ({ name: names[index] ?? name, values })),
    });
  }
  dispose(): void {
    this.dense.dispose();
  }
}

class OwnedTfjsTrainer extends TfjsTrainer implements Trainer {
  constructor(
    model: LayersModel,
    private readonly ownedOptimizer: tf.Optimizer | undefined,
    optimizer: tf.Optimizer,
    readonly notFusedReason: string | undefined,
  ) {
    super(model, optimizer);
  }
  override dispose(): void {
    this.ownedOptimizer?.dispose();
  }
}

/**
 * Creates a trainer for a tfjs-layers model: the fused WebAssembly trainer for plain Dense
 * stacks (an order of magnitude faster), stock tfjs for everything else, behind one interface.
 * Both start from the model's current weights and take the same steps within float32 rounding.
 *
 * @param model - a built model ending in softmax (trained with categorical cross-entropy)
 * @param options - optimizer, trainer choice, expected batch size
 * @throws {@link BackendError} `TRAINER_UNAVAILABLE` when `fused` is required but the model does
 *   not qualify (the message says why), `INVALID_OPTION` for a bad optimizer or batch size
 */
export async function createTrainer(model: LayersModel, options: TrainerOptions): Promise<Trainer> {
  const request = options.trainer ?? 'auto';
  if (!['auto', 'fused', 'tfjs'].includes(request)) {
    throw new BackendError({
      code: 'INVALID_OPTION',
      message: `trainer must be auto, fused or tfjs, got ${String(request)}.`,
    });
  }
  if (typeof (options.optimizer as tf.Optimizer).getClassName !== 'function') {
    resolveOptimizer(options.optimizer);
  }
  const analysis = request === 'tfjs' ? undefined : analyzeDenseStack(model);
  if (analysis?.fusable) {
    const dense = await createDenseTrainer(model, {
      optimizer: options.optimizer,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    });
    return new FusedTrainer(dense, model);
  }
  if (request === 'fused') {
    throw new BackendError({
      code: 'TRAINER_UNAVAILABLE',
      message: `the fused trainer cannot train this model: ${analysis?.reason}. Use trainer 'auto' or 'tfjs'.`,
    });
  }
  const isSpec = typeof (options.optimizer as tf.Optimizer).getClassName !== 'function';
  const optimizer = isSpec
    ? createTfjsOptimizer(options.optimizer as OptimizerSpec)
    : (options.optimizer as tf.Optimizer);
  return new OwnedTfjsTrainer(
    model,
    isSpec ? optimizer : undefined,
    optimizer,
    analysis && !analysis.fusable ? analysis.reason : undefined,
  );
}
