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
 * The first layer's products from a per-batch index of its non-zero inputs (by row): forward
 * Z = X·W summed over each row's list, weight gradient dW = Xᵀ·G scattered row by row. Both
 * follow the dense GEMM's order with its multiply-add, so results equal the dense path bit for bit.
 */
export class SparseInput {
  private starts = 0;
  private indices = 0;
  private values = 0;
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
    this.indices = take(capacity * this.inputSize);
    this.values = take(capacity * this.inputSize);
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
      this.kernels.sparse_index(rows, this.inputSize, x, this.starts, this.indices, this.values);
    }
    return this.active;
  }

  /** z[rows×outputSize] = x·w for the indexed batch. */
  forward(rows: number, outputSize: number, w: number, z: number): void {
    const { starts, indices, values } = this;
    this.kernels.sparse_product(
      rows,
      outputSize,
      starts,
      indices,
      values,
      w,
      outputSize,
      z,
      outputSize,
    );
  }

  /** dw[inputSize×outputSize] = xᵀ·gradient for the indexed batch. */
  weightGradient(outputSize: number, gradient: number, dw: number): void {
    const { starts, indices, values } = this;
    this.kernels.sparse_transposed_product(
      this.rows,
      outputSize,
      this.inputSize,
      starts,
      indices,
      values,
      gradient,
      outputSize,
      dw,
      outputSize,
    );
  }
}
