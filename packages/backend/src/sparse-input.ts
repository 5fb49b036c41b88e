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
 * The first layer's products from per-batch indexes of its non-zero inputs: forward Z = X·W
 * summed over each row's list (an index by row), weight gradient dW = Xᵀ·G summed over each
 * input column's list (an index by column, built from the first when a step needs it), so
 * columns without a non-zero cost nothing. Both follow the dense GEMM's order with its
 * multiply-add, so results equal the dense path bit for bit. With plain SGD the update of the
 * first layer's weights is fused into the gradient and touches only those columns' weights
 * (exactly what the dense update does to them; the others would not move).
 */
export class SparseInput {
  private starts = 0;
  private indices = 0;
  private values = 0;
  private colStarts = 0;
  private rowIds = 0;
  private colValues = 0;
  private rows = 0;
  private columnsIndexed = false;
  /** Whether the batch now in memory was indexed (and the sparse products apply). */
  active = false;

  constructor(
    private readonly kernels: DenseKernels,
    private readonly mode: SparseInputMode,
    private readonly inputSize: number,
  ) {}

  /** Places the indexes for batches of up to `capacity` rows, with the trainer's allocator. */
  layout(take: (floats: number) => number, capacity: number): void {
    if (this.mode === 'never') return;
    this.starts = take(capacity + 1);
    this.indices = take(capacity * this.inputSize);
    this.values = take(capacity * this.inputSize);
    this.colStarts = take(this.inputSize + 1);
    this.rowIds = take(capacity * this.inputSize);
    this.colValues = take(capacity * this.inputSize);
  }

  /** Measures the batch at `x` and indexes it by row when the sparse path pays (see the mode). */
  prepare(rows: number, x: number): boolean {
    const count = rows * this.inputSize;
    this.active =
      this.mode === 'always' ||
      (this.mode === 'auto' &&
        this.kernels.count_nonzero(count, x) <= sparseDensityThreshold * count);
    this.columnsIndexed = false;
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

  /** The index by column of the batch indexed by {@link SparseInput.prepare}, once per batch. */
  private indexColumns(): void {
    if (this.columnsIndexed) return;
    const { starts, indices, values, colStarts, rowIds, colValues } = this;
    this.kernels.sparse_column_index(
      this.rows,
      this.inputSize,
      starts,
      indices,
      values,
      colStarts,
      rowIds,
      colValues,
    );
    this.columnsIndexed = true;
  }

  /** dw[inputSize×outputSize] = xᵀ·gradient for the indexed batch (zero rows included). */
  weightGradient(outputSize: number, gradient: number, dw: number): void {
    this.indexColumns();
    const { colStarts, rowIds, colValues } = this;
    this.kernels.sparse_product(
      this.inputSize,
      outputSize,
      colStarts,
      rowIds,
      colValues,
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
    this.indexColumns();
    const { colStarts, rowIds, colValues } = this;
    this.kernels.sparse_sgd_update(
      this.inputSize,
      outputSize,
      colStarts,
      rowIds,
      colValues,
      gradient,
      outputSize,
      w,
      outputSize,
      learningRate,
    );
  }
}
