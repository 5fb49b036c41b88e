import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { BackendError } from './backend-error.js';
import {
  checkEpochOptions,
  type EpochResult,
  type SampleMatrix,
  type TrainEpochOptions,
} from './dense-trainer.js';
import { readModelWeights, stateTensorOf, tensorOf, writeModelWeights } from './model-weights.js';
import { assertTrainerKind, type TrainerState } from './trainer-state.js';

/** Smallest probability the cross-entropy sees (as the fused trainer and tfjs's loss clip). */
const clip = 1e-7;

/**
 * Stock tfjs training of any tfjs-layers model with categorical cross-entropy: one
 * `optimizer.minimize` per batch. Samples come as flat float32 rows or tensors.
 */
export class TfjsTrainer {
  readonly kind = 'tfjs' as const;
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly inputShape: number[];

  constructor(
    private readonly model: LayersModel,
    private readonly optimizer: tf.Optimizer,
  ) {
    this.inputShape = (model.inputs[0]?.shape ?? []).slice(1).map((size) => size ?? 1);
    this.inputSize = this.inputShape.reduce((product, size) => product * size, 1);
    this.outputSize = (model.outputs[0]?.shape ?? [])
      .slice(1)
      .reduce<number>((product, size) => product * (size ?? 1), 1);
  }

  get iterations(): number {
    return this.optimizer.iterations;
  }

  private rows(matrix: SampleMatrix, what: string, width: number): number {
    const size = matrix instanceof tf.Tensor ? matrix.size : matrix.length;
    if (size % width !== 0 || size === 0) {
      throw new BackendError({
        code: 'SHAPE_MISMATCH',
        message: `${what}: ${size} values are not a non-zero whole number of samples of ${width}.`,
      });
    }
    return size / width;
  }

  private inputs(xs: SampleMatrix, rows: number): tf.Tensor {
    return xs instanceof tf.Tensor
      ? tf.reshape(xs, [rows, ...this.inputShape])
      : tf.tensor(xs, [rows, ...this.inputShape]);
  }

  trainBatch(xs: SampleMatrix, ys: SampleMatrix): number {
    const rows = this.rows(xs, 'xs', this.inputSize);
    if (this.rows(ys, 'ys', this.outputSize) !== rows) {
      throw new BackendError({
        code: 'SHAPE_MISMATCH',
        message: `xs holds ${rows} samples but ys holds ${this.rows(ys, 'ys', this.outputSize)}; expected the same count.`,
      });
    }
    return tf.tidy(() => {
      const input = this.inputs(xs, rows);
      const target =
        ys instanceof tf.Tensor
          ? tf.reshape(ys, [rows, -1])
          : tf.tensor2d(ys, [rows, this.outputSize]);
      const loss = this.optimizer.minimize(() => {
        const predicted = tf.reshape(this.model.apply(input, { training: true }) as tf.Tensor, [
          rows,
          -1,
        ]);
        const clipped = tf.clipByValue(predicted, clip, 1 - clip);
        return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.log(clipped)), -1))) as tf.Scalar;
      }, true);
      return loss?.dataSync()[0] as number;
    });
  }

  trainEpoch(xs: SampleMatrix, ys: SampleMatrix, options: TrainEpochOptions): EpochResult {
    const count = this.rows(xs, 'xs', this.inputSize);
    const { batchSize, order } = options;
    checkEpochOptions(options, count);
    const inputs = xs instanceof tf.Tensor ? (xs.dataSync() as Float32Array) : xs;
    const targets = ys instanceof tf.Tensor ? (ys.dataSync() as Float32Array) : ys;
    const { inputSize, outputSize } = this;
    const batchXs = new Float32Array(Math.min(batchSize, count) * inputSize);
    const batchYs = new Float32Array(Math.min(batchSize, count) * outputSize);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < count; start += batchSize) {
      const rows = Math.min(batchSize, count - start);
      for (let row = 0; row < rows; row++) {
        const sample = order ? (order[start + row] as number) : start + row;
        batchXs.set(inputs.subarray(sample * inputSize, (sample + 1) * inputSize), row * inputSize);
        batchYs.set(
          targets.subarray(sample * outputSize, (sample + 1) * outputSize),
          row * outputSize,
        );
      }
      const loss = this.trainBatch(
        batchXs.subarray(0, rows * inputSize),
        batchYs.subarray(0, rows * outputSize),
      );
      lossSum += loss * rows;
      options.onBatchEnd?.(batches, loss);
      batches++;
    }
    return { loss: lossSum / count, batches };
  }

  predict(xs: SampleMatrix): Float32Array {
    const rows = this.rows(xs, 'xs', this.inputSize);
    return tf.tidy(
      () => (this.model.predict(this.inputs(xs, rows)) as tf.Tensor).dataSync() as Float32Array,
    );
  }

  syncModel(): void {}

  async exportState(): Promise<TrainerState> {
    const named = await this.optimizer.getWeights();
    const slots = named.map(({ name, tensor }) => stateTensorOf(name, tensor));
    // getWeights returns the optimizer's own variables plus a fresh iteration-count scalar: free that one.
    tf.dispose(
      named.map(({ tensor }) => tensor).filter((tensor) => !(tensor instanceof tf.Variable)),
    );
    return {
      trainer: 'tfjs',
      optimizer: this.optimizer.getClassName().toLowerCase(),
      iterations: this.optimizer.iterations,
      weights: readModelWeights(this.model),
      slots,
    };
  }

  async importState(state: TrainerState): Promise<void> {
    assertTrainerKind(state, 'tfjs');
    if (state.optimizer !== this.optimizer.getClassName().toLowerCase()) {
      throw new BackendError({
        code: 'STATE_MISMATCH',
        message: `the state is of a ${state.optimizer} optimizer, this trainer uses ${this.optimizer.getClassName().toLowerCase()}; import only a state of the same optimizer.`,
      });
    }
    writeModelWeights(this.model, state.weights);
    const named = state.slots.map((slot) => ({ name: slot.name, tensor: tensorOf(slot) }));
    try {
      // Optimizers copy what they keep into their own variables, so these tensors can go.
      await this.optimizer.setWeights(named);
    } catch (cause) {
      throw new BackendError({
        code: 'STATE_MISMATCH',
        message: `the tfjs optimizer refused the saved ${state.optimizer} state (${String(cause)}); import only a state of the same model and optimizer.`,
        cause,
      });
    } finally {
      tf.dispose(named.map(({ tensor }) => tensor));
    }
    restoreAdamPowers(this.optimizer);
  }

  dispose(): void {}
}

/**
 * tfjs's Adam keeps β1^(t+1) and β2^(t+1) as running float32 products, but its setWeights
 * recomputes them with pow(), which rounds differently; the difference is enough to make a
 * resumed run drift from an uninterrupted one. Replaying the products in float32 (Math.fround
 * of a product of two float32 values is exactly a float32 multiplication) restores them bit
 * for bit. tfjs has no public way to set them, so this is the one place that reaches into
 * Adam's fields; the resume tests fail if a tfjs release renames them.
 */
function restoreAdamPowers(optimizer: tf.Optimizer): void {
  if (optimizer.getClassName() !== 'Adam') return;
  const adam = optimizer as unknown as {
    accBeta1?: tf.Variable;
    accBeta2?: tf.Variable;
    beta1: number;
    beta2: number;
  };
  if (!(adam.accBeta1 && adam.accBeta2)) return;
  const replay = (beta: number) => {
    const factor = Math.fround(beta);
    let power = factor;
    for (let step = 0; step < optimizer.iterations; step++) power = Math.fround(power * factor);
    return power;
  };
  tf.tidy(() => {
    adam.accBeta1?.assign(tf.scalar(replay(adam.beta1)));
    adam.accBeta2?.assign(tf.scalar(replay(adam.beta2)));
  });
}
