import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { activationCodes, analyzeDenseStack, type FusedDenseLayer } from './analyze-dense-stack.js';
import { BackendError } from './backend-error.js';
import { type DenseKernelsRequest, instantiateChosenKernels } from './dense-kernels.js';
import type { DenseKernels } from './dense-wasm.js';
import { type OptimizerSpec, type ResolvedOptimizer, resolveOptimizer } from './optimizer-spec.js';
import { SparseInput, type SparseInputMode } from './sparse-input.js';

/** Settings of {@link createDenseTrainer}. */
export interface DenseTrainerOptions {
  /** The optimizer: a spec (`{name: 'sgd', learningRate: 0.01}`) or a tfjs optimizer to mirror. */
  optimizer: OptimizerSpec | tf.Optimizer;
  /** The loss; only categorical cross-entropy on a softmax output is fused. */
  loss?: 'categoricalCrossentropy';
  /** Largest batch expected; buffers grow by themselves when a larger one comes. Default 128. */
  batchSize?: number;
  /**
   * The kernels: `auto` (default) runs the native AVX2 ones when they load (see
   * `selectBackend`; `ACTLAB_NATIVE=0` turns them off), `native` requires them, `wasm` never
   * uses them.
   */
  kernels?: DenseKernelsRequest;
  /**
   * First-layer products from an index of the non-zero inputs: `auto` (default) when a batch
   * is at most 35 % non-zero (MNIST pixels: 19 %), `always`, or `never`. Same results either way.
   */
  sparseInputs?: SparseInputMode;
}

/**
 * Everything a {@link DenseTrainer} keeps besides the weights: enough to continue training
 * exactly (bit for bit) in another trainer or process. Plain data, safe to serialize.
 */
export interface DenseTrainerState {
  /** The optimizer the state belongs to; importing into a trainer with another one fails. */
  optimizer: OptimizerSpec['name'];
  /** Optimizer steps taken. */
  iterations: number;
  /** Adam's running products β1^(t+1) and β2^(t+1) as float32 values (kept, unused, by the others). */
  powers: [number, number];
  /** The optimizer's per-weight buffers, named `<layer>/<kernel|bias>/<slot index>`. */
  slots: { name: string; values: Float32Array }[];
}

/** Samples as flat row-major float32 values or a rank-2 tensor. */
export type SampleMatrix = Float32Array | tf.Tensor2D;

/** Settings of {@link DenseTrainer.trainEpoch}. */
export interface TrainEpochOptions {
  batchSize: number;
  /**
   * The order in which samples are visited (a permutation of 0…count−1, e.g. a seeded shuffle).
   * Default: in order.
   */
  order?: ArrayLike<number>;
  /** Called after each batch with its index and mean loss. */
  onBatchEnd?: (batch: number, loss: number) => void;
  /** Write the weights back to the tfjs model at the end of the epoch. Default true. */
  writeWeights?: boolean;
}

/** Outcome of one epoch. */
export interface EpochResult {
  /** Mean training loss over the epoch's samples (each batch weighted by its size). */
  loss: number;
  batches: number;
}

/**
 * Trains a Dense stack in one WebAssembly module: a step is a few calls per layer (fused
 * GEMM + bias + activation forward; dW, db and dx together backward; the optimizer update in
 * the same pass), with no tfjs kernels, tape or tensors. The trainer holds its own copy of the
 * weights: `writeWeights` puts them into the tfjs model (done after every `trainEpoch` by
 * default), `readWeights` takes them back after the model was changed elsewhere.
 */
export interface DenseTrainer {
  /** The fused layers, input to output. */
  readonly layers: readonly FusedDenseLayer[];
  readonly inputSize: number;
  readonly outputSize: number;
  /** The kernels it runs on: native (AVX2 + FMA through Node-API) or WebAssembly. */
  readonly kernels: 'native' | 'wasm';
  /** Optimizer steps taken so far. */
  readonly iterations: number;
  /**
   * One optimizer step on one batch; returns the batch's mean loss.
   *
   * @param xs - `[batch, inputSize]` inputs
   * @param ys - `[batch, outputSize]` one-hot (or soft) targets
   * @throws {@link BackendError} `SHAPE_MISMATCH` when the sizes do not fit the model
   */
  trainBatch(xs: SampleMatrix, ys: SampleMatrix): number;
  /**
   * One pass over a data set in batches (the last one may be smaller).
   *
   * @throws {@link BackendError} `SHAPE_MISMATCH`, `INVALID_OPTION`
   */
  trainEpoch(xs: SampleMatrix, ys: SampleMatrix, options: TrainEpochOptions): EpochResult;
  /**
   * The model's softmax outputs for `xs` computed in the fused module (forward pass only, the
   * trainer's current weights): for evaluation between epochs at the trainer's speed.
   *
   * @returns `[count, outputSize]` probabilities, row-major
   * @throws {@link BackendError} `SHAPE_MISMATCH`
   */
  predict(xs: SampleMatrix): Float32Array;
  /** Copies the trained weights into the tfjs model's variables. */
  writeWeights(): void;
  /** The optimizer's state (moments, accumulators, step count), copied out. */
  exportState(): DenseTrainerState;
  /**
   * Puts back a state from {@link DenseTrainer.exportState} of a trainer with the same layers
   * and optimizer; with the same weights (see `readWeights`) training then continues exactly.
   *
   * @throws {@link BackendError} `STATE_MISMATCH` when the optimizer, a slot name or a size differs
   */
  importState(state: DenseTrainerState): void;
  /** Copies the tfjs model's current weights into the trainer (optimizer state is kept). */
  readWeights(): void;
  /** Frees the module's memory; the trainer cannot be used afterwards. */
  dispose(): void;
}

interface LayerBuffers {
  plan: FusedDenseLayer;
  kernel: tf.Variable;
  bias: tf.Variable | undefined;
  /** Byte offsets into the module memory. */
  w: number;
  b: number;
  dw: number;
  db: number;
  wSlots: number[];
  bSlots: number[];
  z: number;
  a: number;
}

const floatBytes = 4;
const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

interface LooseDense {
  name: string;
  kernel?: { read(): tf.Variable };
  bias?: { read(): tf.Variable } | null;
}

/**
 * Checks a {@link TrainEpochOptions} against a data set of `count` samples (both trainers).
 *
 * @throws {@link BackendError} `INVALID_OPTION` for a batch size that is not a positive integer
 *   or an order that does not list every sample
 */
export function checkEpochOptions(options: TrainEpochOptions, count: number): void {
  const { batchSize, order } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new BackendError({
      code: 'INVALID_OPTION',
      message: `batchSize must be a positive integer, got ${batchSize}.`,
    });
  }
  if (order && order.length !== count) {
    throw new BackendError({
      code: 'INVALID_OPTION',
      message: `order must list all ${count} samples, got ${order.length}.`,
    });
  }
}

function valuesOf(matrix: SampleMatrix, what: string, width: number): Float32Array {
  if (!(matrix instanceof tf.Tensor)) {
    if (matrix.length % width !== 0) {
      throw new BackendError({
        code: 'SHAPE_MISMATCH',
        message: `${what}: ${matrix.length} values are not a whole number of rows of ${width}.`,
      });
    }
    return matrix instanceof Float32Array ? matrix : Float32Array.from(matrix);
  }
  if (matrix.rank !== 2 || matrix.shape[1] !== width) {
    throw new BackendError({
      code: 'SHAPE_MISMATCH',
      message: `${what}: expected shape [n, ${width}], got [${matrix.shape.join(', ')}].`,
    });
  }
  return matrix.dataSync() as Float32Array;
}

class FusedDenseTrainer implements DenseTrainer {
  readonly layers: readonly FusedDenseLayer[];
  readonly inputSize: number;
  readonly outputSize: number;
  readonly kernels: 'native' | 'wasm';
  iterations = 0;
  private readonly buffers: LayerBuffers[];
  private readonly k: DenseKernels;
  private readonly sparse: SparseInput;
  private readonly optimizer: ResolvedOptimizer;
  private readonly transposed: number;
  private readonly batchRegion: number;
  private capacity = 0;
  private x = 0;
  private y = 0;
  private gradients: [number, number] = [0, 0];
  private memoryView: Float32Array;
  private accBeta1: number;
  private accBeta2: number;
  private disposed = false;

  constructor(
    kernels: { name: 'native' | 'wasm'; kernels: DenseKernels },
    model: LayersModel,
    layers: FusedDenseLayer[],
    inputSize: number,
    optimizer: ResolvedOptimizer,
    options: { batchSize: number; sparseInputs: SparseInputMode },
  ) {
    this.kernels = kernels.name;
    this.k = kernels.kernels;
    this.sparse = new SparseInput(this.k, options.sparseInputs, inputSize);
    this.layers = layers;
    this.inputSize = inputSize;
    this.outputSize = layers[layers.length - 1]?.outputSize ?? 0;
    this.optimizer = optimizer;
    this.accBeta1 = Math.fround(optimizer.beta1);
    this.accBeta2 = Math.fround(optimizer.beta2);
    let offset = align(this.k.__heap_base.value as number);
    const take = (floats: number) => {
      const start = offset;
      offset += align(floats * floatBytes);
      return start;
    };
    let largestKernel = 0;
    this.buffers = layers.map((plan) => {
      const dense = model.getLayer(plan.name) as unknown as LooseDense;
      const kernelSize = plan.inputSize * plan.outputSize;
      largestKernel = Math.max(largestKernel, kernelSize);
      const biasSize = plan.useBias ? plan.outputSize : 0;
      return {
        plan,
        kernel: dense.kernel!.read(),
        bias: plan.useBias ? dense.bias!.read() : undefined,
        w: take(kernelSize),
        b: take(biasSize),
        dw: take(kernelSize),
        db: take(biasSize),
        wSlots: Array.from({ length: optimizer.slots }, () => take(kernelSize)),
        bSlots: Array.from({ length: optimizer.slots }, () => take(biasSize)),
        z: 0,
        a: 0,
      };
    });
    this.transposed = take(largestKernel);
    this.batchRegion = offset;
    this.memoryView = new Float32Array(this.k.memory.buffer);
    this.ensureCapacity(options.batchSize);
    this.initialiseSlots();
    this.readWeights();
  }

  private view(): Float32Array {
    if (this.memoryView.buffer !== this.k.memory.buffer) {
      this.memoryView = new Float32Array(this.k.memory.buffer);
    }
    return this.memoryView;
  }

  private ensureCapacity(batchSize: number): void {
    if (batchSize <= this.capacity) return;
    let offset = this.batchRegion;
    const take = (floats: number) => {
      const start = offset;
      offset += align(floats * floatBytes);
      return start;
    };
    this.x = take(batchSize * this.inputSize);
    this.y = take(batchSize * this.outputSize);
    let widest = 0;
    for (const layer of this.buffers) {
      layer.z = take(batchSize * layer.plan.outputSize);
      layer.a = take(batchSize * layer.plan.outputSize);
      widest = Math.max(widest, layer.plan.outputSize);
    }
    this.gradients = [take(batchSize * widest), take(batchSize * widest)];
    this.sparse.layout(take, batchSize);
    const needed = offset - this.k.memory.buffer.byteLength;
    if (needed > 0) this.k.memory.grow(Math.ceil(needed / 65536));
    this.capacity = batchSize;
  }

  private initialiseSlots(): void {
    const memory = this.view();
    const initial = this.optimizer.name === 'adagrad' ? this.optimizer.initialAccumulatorValue : 0;
    for (const layer of this.buffers) {
      const kernelSize = layer.plan.inputSize * layer.plan.outputSize;
      const biasSize = layer.plan.useBias ? layer.plan.outputSize : 0;
      for (const slot of layer.wSlots) memory.fill(0, slot / 4, slot / 4 + kernelSize);
      for (const slot of layer.bSlots) memory.fill(0, slot / 4, slot / 4 + biasSize);
      if (initial !== 0) {
        const [wSlot] = layer.wSlots;
        const [bSlot] = layer.bSlots;
        memory.fill(initial, wSlot! / 4, wSlot! / 4 + kernelSize);
        memory.fill(initial, bSlot! / 4, bSlot! / 4 + biasSize);
      }
    }
  }

  private assertUsable(): void {
    if (this.disposed) {
      throw new BackendError({
        code: 'TRAINER_DISPOSED',
        message: 'this dense trainer was disposed; create a new one with createDenseTrainer.',
      });
    }
  }

  readWeights(): void {
    this.assertUsable();
    const memory = this.view();
    for (const layer of this.buffers) {
      memory.set(layer.kernel.dataSync() as Float32Array, layer.w / 4);
      if (layer.bias) memory.set(layer.bias.dataSync() as Float32Array, layer.b / 4);
    }
  }

  writeWeights(): void {
    this.assertUsable();
    const memory = this.view();
    for (const layer of this.buffers) {
      const { inputSize, outputSize } = layer.plan;
      const kernelValues = memory.slice(layer.w / 4, layer.w / 4 + inputSize * outputSize);
      tf.tidy(() => layer.kernel.assign(tf.tensor2d(kernelValues, [inputSize, outputSize])));
      if (layer.bias) {
        const biasValues = memory.slice(layer.b / 4, layer.b / 4 + outputSize);
        const bias = layer.bias;
        tf.tidy(() => bias.assign(tf.tensor1d(biasValues)));
      }
    }
  }

  private slotRegions(): { name: string; offset: number; size: number }[] {
    return this.buffers.flatMap((layer) => {
      const { name, inputSize, outputSize, useBias } = layer.plan;
      return [
        ...layer.wSlots.map((offset, slot) => ({
          name: `${name}/kernel/${slot}`,
          offset,
          size: inputSize * outputSize,
        })),
        ...(useBias
          ? layer.bSlots.map((offset, slot) => ({
              name: `${name}/bias/${slot}`,
              offset,
              size: outputSize,
            }))
          : []),
      ];
    });
  }

  exportState(): DenseTrainerState {
    this.assertUsable();
    const memory = this.view();
    return {
      optimizer: this.optimizer.name,
      iterations: this.iterations,
      powers: [this.accBeta1, this.accBeta2],
      slots: this.slotRegions().map(({ name, offset, size }) => ({
        name,
        values: memory.slice(offset / 4, offset / 4 + size),
      })),
    };
  }

  importState(state: DenseTrainerState): void {
    this.assertUsable();
    const mismatch = (what: string) =>
      new BackendError({
        code: 'STATE_MISMATCH',
        message: `cannot import this optimizer state: ${what}. Import only a state exported by a trainer of the same model and optimizer.`,
      });
    if (state.optimizer !== this.optimizer.name) {
      throw mismatch(`it is ${state.optimizer} state, the trainer uses ${this.optimizer.name}`);
    }
    if (!Number.isInteger(state.iterations) || state.iterations < 0) {
      throw mismatch(`iterations ${state.iterations} is not a non-negative integer`);
    }
    const regions = this.slotRegions();
    if (state.slots.length !== regions.length) {
      throw mismatch(`it has ${state.slots.length} buffers, the trainer ${regions.length}`);
    }
    const memory = this.view();
    regions.forEach((region, index) => {
      const slot = state.slots[index]!;
      if (slot.name !== region.name || slot.values.length !== region.size) {
        throw mismatch(
          `buffer ${index} is ${slot.name} with ${slot.values.length} values, expected ${region.name} with ${region.size}`,
        );
      }
    });
    regions.forEach((region, index) => {
      memory.set(state.slots[index]!.values, region.offset / 4);
    });
    this.iterations = state.iterations;
    [this.accBeta1, this.accBeta2] = state.powers;
  }

  trainBatch(xs: SampleMatrix, ys: SampleMatrix): number {
    this.assertUsable();
    const inputs = valuesOf(xs, 'xs', this.inputSize);
    const targets = valuesOf(ys, 'ys', this.outputSize);
    const rows = inputs.length / this.inputSize;
    if (targets.length / this.outputSize !== rows || rows === 0) {
      throw new BackendError({
        code: 'SHAPE_MISMATCH',
        message: `xs holds ${rows} samples but ys holds ${targets.length / this.outputSize}; expected the same non-zero count.`,
      });
    }
    this.ensureCapacity(rows);
    const memory = this.view();
    memory.set(inputs, this.x / 4);
    memory.set(targets, this.y / 4);
    return this.step(rows);
  }

  trainEpoch(xs: SampleMatrix, ys: SampleMatrix, options: TrainEpochOptions): EpochResult {
    this.assertUsable();
    const inputs = valuesOf(xs, 'xs', this.inputSize);
    const targets = valuesOf(ys, 'ys', this.outputSize);
    const count = inputs.length / this.inputSize;
    const { batchSize, order } = options;
    if (targets.length / this.outputSize !== count) {
      throw new BackendError({
        code: 'SHAPE_MISMATCH',
        message: `xs holds ${count} samples but ys holds ${targets.length / this.outputSize}.`,
      });
    }
    checkEpochOptions(options, count);
    this.ensureCapacity(Math.min(batchSize, count));
    const inputSize = this.inputSize;
    const outputSize = this.outputSize;
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < count; start += batchSize) {
      const rows = Math.min(batchSize, count - start);
      const memory = this.view();
      if (order) {
        for (let r = 0; r < rows; r++) {
          const sample = order[start + r]!;
          if (!(sample >= 0 && sample < count)) {
            throw new BackendError({
              code: 'INVALID_OPTION',
              message: `order[${start + r}] = ${sample} is not a sample index in 0…${count - 1}.`,
            });
          }
          memory.set(
            inputs.subarray(sample * inputSize, (sample + 1) * inputSize),
            this.x / 4 + r * inputSize,
          );
          memory.set(
            targets.subarray(sample * outputSize, (sample + 1) * outputSize),
            this.y / 4 + r * outputSize,
          );
        }
      } else {
        memory.set(inputs.subarray(start * inputSize, (start + rows) * inputSize), this.x / 4);
        memory.set(targets.subarray(start * outputSize, (start + rows) * outputSize), this.y / 4);
      }
      const loss = this.step(rows);
      lossSum += loss * rows;
      options.onBatchEnd?.(batches, loss);
      batches++;
    }
    if (options.writeWeights !== false) this.writeWeights();
    return { loss: lossSum / count, batches };
  }

  predict(xs: SampleMatrix): Float32Array {
    this.assertUsable();
    const inputs = valuesOf(xs, 'xs', this.inputSize);
    const count = inputs.length / this.inputSize;
    const outputs = new Float32Array(count * this.outputSize);
    const last = this.buffers[this.buffers.length - 1]!;
    for (let start = 0; start < count; start += this.capacity) {
      const rows = Math.min(this.capacity, count - start);
      const memory = this.view();
      memory.set(
        inputs.subarray(start * this.inputSize, (start + rows) * this.inputSize),
        this.x / 4,
      );
      // Zero targets: the loss kernel then only writes the softmax probabilities wanted here.
      memory.fill(0, this.y / 4, this.y / 4 + rows * this.outputSize);
      this.forward(rows);
      this.k.softmax_cross_entropy(
        rows,
        this.outputSize,
        last.z,
        this.y,
        last.a,
        this.gradients[0],
        rows,
      );
      outputs.set(
        this.view().subarray(last.a / 4, last.a / 4 + rows * this.outputSize),
        start * this.outputSize,
      );
    }
    return outputs;
  }

  private forward(rows: number): void {
    const k = this.k;
    let input = this.x;
    for (const layer of this.buffers) {
      const { inputSize, outputSize, useBias, activation, alpha } = layer.plan;
      if (input === this.x && this.sparse.prepare(rows, input)) {
        this.sparse.forward(rows, outputSize, layer.w, layer.z);
      } else {
        k.gemm_nn(
          rows,
          outputSize,
          inputSize,
          input,
          inputSize,
          layer.w,
          outputSize,
          layer.z,
          outputSize,
          0,
        );
      }
      const code = activation === 'softmax' ? 0 : activationCodes[activation];
      k.bias_activate(rows, outputSize, layer.z, useBias ? layer.b : 0, layer.a, code, alpha);
      input = layer.a;
    }
  }

  private step(rows: number): number {
    const k = this.k;
    const layers = this.buffers;
    this.forward(rows);
    const last = layers[layers.length - 1]!;
    let [gradient, spare] = this.gradients;
    const lossSum = k.softmax_cross_entropy(
      rows,
      this.outputSize,
      last.z,
      this.y,
      last.a,
      gradient,
      rows,
    );
    for (let index = layers.length - 1; index >= 0; index--) {
      const layer = layers[index]!;
      const { inputSize, outputSize, useBias } = layer.plan;
      const below = layers[index - 1];
      const layerInput = below ? below.a : this.x;
      // Plain SGD on sparse inputs: the first layer's update is fused into its gradient.
      const fusedSgd = !below && this.sparse.active && this.optimizer.name === 'sgd';
      if (fusedSgd) {
        this.sparse.sgdUpdate(outputSize, gradient, layer.w, this.optimizer.learningRate);
      } else if (!below && this.sparse.active) {
        this.sparse.weightGradient(outputSize, gradient, layer.dw);
      } else {
        k.gemm_tn(
          inputSize,
          outputSize,
          rows,
          layerInput,
          inputSize,
          gradient,
          outputSize,
          layer.dw,
          outputSize,
          0,
        );
      }
      if (useBias) k.column_sums(rows, outputSize, gradient, layer.db);
      if (below) {
        k.transpose(inputSize, outputSize, layer.w, this.transposed);
        k.gemm_nn(
          rows,
          inputSize,
          outputSize,
          gradient,
          outputSize,
          this.transposed,
          inputSize,
          spare,
          inputSize,
          0,
        );
        const code =
          below.plan.activation === 'softmax' ? 0 : activationCodes[below.plan.activation];
        k.activation_backward(rows * inputSize, spare, below.z, below.a, code, below.plan.alpha);
      }
      if (!fusedSgd) this.update(layer.w, layer.dw, layer.wSlots, inputSize * outputSize);
      if (useBias) this.update(layer.b, layer.db, layer.bSlots, outputSize);
      [gradient, spare] = [spare, gradient];
    }
    k.flush?.();
    if (this.optimizer.name === 'adam') {
      this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.optimizer.beta1));
      this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.optimizer.beta2));
    }
    this.iterations++;
    return lossSum / rows;
  }

  private update(weights: number, gradient: number, slots: number[], count: number): void {
    const k = this.k;
    const o = this.optimizer;
    const [first = 0, second = 0] = slots;
    switch (o.name) {
      case 'sgd':
        k.sgd_update(count, weights, gradient, o.learningRate);
        return;
      case 'momentum':
        k.momentum_update(
          count,
          weights,
          gradient,
          first,
          o.learningRate,
          o.momentum,
          o.useNesterov ? 1 : 0,
        );
        return;
      case 'adam':
        k.adam_update(
          count,
          weights,
          gradient,
          first,
          second,
          o.learningRate,
          o.beta1,
          o.beta2,
          1 - o.beta1,
          1 - o.beta2,
          o.epsilon,
          Math.fround(1 - this.accBeta1),
          Math.fround(1 - this.accBeta2),
        );
        return;
      case 'adagrad':
        k.adagrad_update(count, weights, gradient, first, o.learningRate, o.epsilon);
        return;
      case 'adadelta':
        k.adadelta_update(
          count,
          weights,
          gradient,
          first,
          second,
          o.learningRate,
          o.rho,
          1 - o.rho,
          o.epsilon,
        );
        return;
      case 'rmsprop':
        k.rmsprop_update(
          count,
          weights,
          gradient,
          first,
          second,
          o.learningRate,
          o.decay,
          1 - o.decay,
          o.momentum,
          o.epsilon,
        );
        return;
    }
  }

  dispose(): void {
    this.disposed = true;
  }
}

/**
 * Creates a fused trainer for a tfjs-layers model that is a plain stack of Dense layers (see
 * {@link analyzeDenseStack}). It starts from the model's current weights, so the same seeds
 * give the same initial weights as stock training, and its steps equal tfjs's within float32
 * rounding.
 *
 * @param model - a built Sequential or functional model of Dense layers ending in softmax
 * @param options - optimizer (spec or tfjs optimizer), loss, expected batch size, kernels,
 *   sparse inputs
 * @throws {@link BackendError} `MODEL_NOT_FUSABLE` with the reason when the model does not
 *   qualify (use stock `model.fit` then), `INVALID_OPTION` for a bad optimizer, loss or
 *   `sparseInputs`, `BACKEND_UNAVAILABLE` when `kernels: 'native'` cannot load
 */
export async function createDenseTrainer(
  model: LayersModel,
  options: DenseTrainerOptions,
): Promise<DenseTrainer> {
  const analysis = analyzeDenseStack(model);
  if (!analysis.fusable) {
    throw new BackendError({
      code: 'MODEL_NOT_FUSABLE',
      message: `the fused trainer cannot train this model: ${analysis.reason}. Train it with model.fit instead.`,
    });
  }
  const loss = options.loss ?? 'categoricalCrossentropy';
  if (loss !== 'categoricalCrossentropy') {
    throw new BackendError({
      code: 'INVALID_OPTION',
      message: `loss "${String(loss)}" is not fused; only categoricalCrossentropy is.`,
    });
  }
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new BackendError({
      code: 'INVALID_OPTION',
      message: `batchSize must be a positive integer, got ${batchSize}.`,
    });
  }
  const sparseInputs = options.sparseInputs ?? 'auto';
  if (!['auto', 'always', 'never'].includes(sparseInputs)) {
    throw new BackendError({
      code: 'INVALID_OPTION',
      message: `sparseInputs must be 'auto', 'always' or 'never', got "${String(sparseInputs)}".`,
    });
  }
  const optimizer = resolveOptimizer(options.optimizer);
  const { kernels, choice } = await instantiateChosenKernels(options.kernels);
  return new FusedDenseTrainer(
    { name: choice.name, kernels },
    model,
    analysis.layers,
    analysis.inputSize,
    optimizer,
    { batchSize, sparseInputs },
  );
}
