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
 * The first layer's products from a per-batch index of its non-zero inputs: forward
 * Z = X·W from the rows' lists, weight gradient dW = Xᵀ·G from the columns' lists. Both sum in
 * the dense GEMM's order with its multiply-add, so results equal the dense path bit for bit.
 */
export class SparseInput {
  private rowStarts = 0;
  private rowIndices = 0;
  private rowValues = 0;
  private colStarts = 0;
  private colIndices = 0;
  private colValues = 0;
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
    const entries = capacity * this.inputSize;
    this.rowStarts = take(capacity + 1);
    this.rowIndices = take(entries);
    this.rowValues = take(entries);
    this.colStarts = take(this.inputSize + 1);
    this.colIndices = take(entries);
    this.colValues = take(entries);
  }

  /** Measures the batch at `x` and indexes it when the sparse path pays (see the mode). */
  prepare(rows: number, x: number): boolean {
    const count = rows * this.inputSize;
    this.active =
      this.mode === 'always' ||
      (this.mode === 'auto' &&
        this.kernels.count_nonzero(count, x) <= sparseDensityThreshold * count);
    if (this.active) {
      this.kernels.sparse_index(
        rows,
        this.inputSize,
        x,
        this.rowStarts,
        this.rowIndices,
        this.rowValues,
        this.colStarts,
        this.colIndices,
        this.colValues,
      );
    }
    return this.active;
  }

  /** z[rows×outputSize] = x·w for the indexed batch. */
  forward(rows: number, outputSize: number, w: number, z: number): void {
    const { rowStarts, rowIndices, rowValues } = this;
    this.kernels.sparse_product(
      rows,
      outputSize,
      rowStarts,
      rowIndices,
      rowValues,
      w,
      outputSize,
      z,
      outputSize,
    );
  }

  /** dw[inputSize×outputSize] = xᵀ·gradient for the indexed batch. */
  weightGradient(outputSize: number, gradient: number, dw: number): void {
    const { colStarts, colIndices, colValues } = this;
    this.kernels.sparse_product(
      this.inputSize,
      outputSize,
      colStarts,
      colIndices,
      colValues,
      gradient,
      outputSize,
      dw,
      outputSize,
    );
  }
}
