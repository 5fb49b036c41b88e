import type { DenseKernels } from './dense-wasm.js';

/** When the first layer uses the sparse-input kernels: by measured density, always or never. */
export type SparseInputMode = 'auto' | 'always' | 'never';

/**
 * Inputs whose share of non-zero values is at most this take the sparse path in `auto` mode.
 * Measured with bench/train-speed.mjs: MNIST (19 % non-zero) gains 2–3× on the first layer;
 * near half non-zero the index costs as much as it saves.
 */
export const sparseDensityThreshold = 0.35;

/**
 * The first layer's products from a per-batch index of its non-zero inputs: by row (each row's
 * columns and values) for the forward product Z = X·W, and by column (one bit per row for each
 * input column) for the weight gradient dW = Xᵀ·G, summed over each column's marked rows, so
 * columns without a non-zero cost nothing. Both follow the dense GEMM's order with its
 * multiply-add, so results equal the dense path bit for bit. With plain SGD the update of the
 * first layer's weights is fused into the gradient and touches only those columns' weights
 * (exactly what the dense update does to them; the others would not move).
 */
export class SparseInput {
  private starts = 0;
  private indices = 0;
  private values = 0;
  private colBits = 0;
  private x = 0;
  private rows = 0;
  /** Whether the batch now in memory was indexed (and the sparse products apply). */
  active = false;

  constructor(
    private readonly kernels: DenseKernels,
    private readonly mode: SparseInputMode,
    private readonly inputSize: number,
  ) {}

  /** Places the index for batches of up to `capacity` rows, with the trainer's allocator. */
  layout(take: (floats: number) => number, capacity: number): void {
    if (this.mode === 'never') return;
    this.starts = take(capacity + 1);
    // sparse_index stores whole vectors: room for 8 entries past the last.
    this.indices = take(capacity * this.inputSize + 8);
    this.values = take(capacity * this.inputSize + 8);
    // One bit per row for each column, in 64-bit words (two floats each).
    this.colBits = take(Math.ceil(capacity / 64) * this.inputSize * 2);
  }

  /** Measures the batch at `x` and indexes it when the sparse path pays (see the mode). */
  prepare(rows: number, x: number): boolean {
    const count = rows * this.inputSize;
    this.active =
      this.mode === 'always' ||
      (this.mode === 'auto' &&
        this.kernels.count_nonzero(count, x) <= sparseDensityThreshold * count);
    if (this.active) {
      this.rows = rows;
      this.x = x;
      const { starts, indices, values, colBits } = this;
      this.kernels.sparse_index(rows, this.inputSize, x, starts, indices, values, colBits);
    }
    return this.active;
  }

  /** z[rows×outputSize] = x·w for the indexed batch. */
  forward(rows: number, outputSize: number, w: number, z: number): void {
    const { starts, indices, values } = this;
    this.kernels.sparse_product(
      rows,
      outputSize,
      this.inputSize,
      starts,
      indices,
      values,
      w,
      outputSize,
      z,
      outputSize,
    );
  }

  /** dw[inputSize×outputSize] = xᵀ·gradient for the indexed batch (zero rows included). */
  weightGradient(outputSize: number, gradient: number, dw: number): void {
    const { inputSize } = this;
    this.kernels.sparse_transposed_product(
      this.rows,
      outputSize,
      inputSize,
      this.colBits,
      this.x,
      inputSize,
      gradient,
      outputSize,
      dw,
      outputSize,
    );
  }

  /**
   * Plain SGD on w[inputSize×outputSize] with the gradient xᵀ·gradient, fused: only the rows of
   * w whose input column holds a non-zero change (the dense update leaves the others as they
   * are). Not for optimizers with state or decay, which move every weight.
   */
  sgdUpdate(outputSize: number, gradient: number, w: number, learningRate: number): void {
    const { inputSize } = this;
    this.kernels.sparse_sgd_update(
      this.rows,
      outputSize,
      inputSize,
      this.colBits,
      this.x,
      inputSize,
      gradient,
      outputSize,
      w,
      outputSize,
      learningRate,
    );
  }
}
