// The sparse-input kernels of dense.c (included by it after gemm.h, whose lane_t, lane_madd and
// madd_scalar they use): the WebAssembly module and the native build share them.
#ifndef ACTLAB_SPARSE_H
#define ACTLAB_SPARSE_H

// ---------------------------------------------------------------------------------------------
// Sparse inputs (MNIST pixels are ~80 % zeros). A per-batch index lists each row's non-zero
// inputs (column and value, in increasing column order); the forward product sums
// out[r, :] = Σ values[e]·W[indices[e], :] over row r's list in registers. The weight gradient
// takes a second index, by column (each input column's rows and values, in increasing row order),
// and sums dW[k, :] = Σ values·G[row, :] over column k's list in registers the same way, so only
// the columns with a non-zero input cost anything and each row of dW is written once. Both follow
// the dense GEMM's order with its multiply-add (zeros skipped add nothing), so results equal it
// bit for bit.

/** The number of non-zero values among X[0…count). */
EXPORT(count_nonzero)
int count_nonzero(int count, const float *X) {
  int nonzero = 0;
  for (int i = 0; i < count; i++) nonzero += X[i] != 0.0f;
  return nonzero;
}

/**
 * Indexes the non-zero values of X[rows×cols] by row: row i's entries are
 * starts[i]…starts[i+1] of indices (the column) and values, in increasing column order.
 */
EXPORT(sparse_index)
void sparse_index(int rowCount, int colCount, const float *X, int *starts, int *indices, float *values) {
  // Each run of 32 values becomes a bit mask first (a vectorised compare), then only its set
  // bits are visited: the cost follows the non-zero count, with no unpredictable branch per value.
  int e = 0;
  for (int i = 0; i < rowCount; i++) {
    starts[i] = e;
    const float *x = X + i * colCount;
    for (int j0 = 0; j0 < colCount; j0 += 32) {
      int n = colCount - j0 < 32 ? colCount - j0 : 32;
      uint32_t mask = 0;
      for (int j = 0; j < n; j++) mask |= (uint32_t)(x[j0 + j] != 0.0f) << j;
      while (mask) {
        int j = j0 + __builtin_ctz(mask);
        mask &= mask - 1;
        indices[e] = j;
        values[e] = x[j];
        e++;
      }
    }
  }
  starts[rowCount] = e;
}

/**
 * The same non-zero values indexed by column, from the row index of sparse_index (a counting
 * sort): column k's entries are colStarts[k]…colStarts[k+1] of rowIds (the row) and colValues,
 * in increasing row order. colStarts holds colCount + 1 values.
 */
EXPORT(sparse_column_index)
void sparse_column_index(int rowCount, int colCount, const int *starts, const int *indices,
                         const float *values, int *colStarts, int *rowIds, float *colValues) {
  for (int k = 0; k <= colCount; k++) colStarts[k] = 0;
  int entries = starts[rowCount];
  for (int e = 0; e < entries; e++) colStarts[indices[e] + 1]++;
  for (int k = 0; k < colCount; k++) colStarts[k + 1] += colStarts[k];
  // colStarts[k] serves as column k's cursor, ending at the start of column k + 1.
  for (int r = 0; r < rowCount; r++)
    for (int e = starts[r]; e < starts[r + 1]; e++) {
      int slot = colStarts[indices[e]]++;
      rowIds[slot] = r;
      colValues[slot] = values[e];
    }
  for (int k = colCount; k > 0; k--) colStarts[k] = colStarts[k - 1];
  colStarts[0] = 0;
}

INLINE void sparse_block(int NL, int first, int last, const int *indices, const float *values,
                         const float *M, int ldm, float *out) {
  lane_t acc[8];
  for (int v = 0; v < NL; v++) acc[v] = lane_zero();
  for (int e = first; e < last; e++) {
    const float *m = M + indices[e] * ldm;
    float x = values[e];
    for (int v = 0; v < NL; v++) acc[v] = lane_madd(acc[v], x, m + LANES * v);
  }
  for (int v = 0; v < NL; v++) lane_store(out + LANES * v, acc[v]);
}

INLINE float sparse_dot(int first, int last, const int *indices, const float *values, const float *M,
                        int ldm) {
  float sum = 0.0f;
  for (int e = first; e < last; e++) sum = madd_scalar(sum, values[e], M[indices[e] * ldm]);
  return sum;
}

/**
 * out[r×N] = Σ_{e in list r} values[e]·M[indices[e], :] for r < rows. With the row index of X
 * this is X·M (the forward product); with the column index of X and M = G it is Xᵀ·G (the
 * weight gradient, zero rows for the columns without a non-zero).
 */
EXPORT(sparse_product)
void sparse_product(int rowCount, int N, const int *starts, const int *indices, const float *values,
                    const float *M, int ldm, float *out, int ldo) {
  for (int r = 0; r < rowCount; r++) {
    int first = starts[r], last = starts[r + 1];
    float *o = out + r * ldo;
    int j = 0;
    for (; j + 8 * LANES <= N; j += 8 * LANES) sparse_block(8, first, last, indices, values, M + j, ldm, o + j);
    for (; j + 4 * LANES <= N; j += 4 * LANES) sparse_block(4, first, last, indices, values, M + j, ldm, o + j);
    for (; j + LANES <= N; j += LANES) sparse_block(1, first, last, indices, values, M + j, ldm, o + j);
    for (; j < N; j++) o[j] = sparse_dot(first, last, indices, values, M + j, ldm);
  }
}

INLINE void sparse_sgd_block(int NL, int first, int last, const int *indices, const float *values,
                             const float *M, int ldm, float *w, float rate) {
  lane_t acc[8];
  for (int v = 0; v < NL; v++) acc[v] = lane_zero();
  for (int e = first; e < last; e++) {
    const float *m = M + indices[e] * ldm;
    float x = values[e];
    for (int v = 0; v < NL; v++) acc[v] = lane_madd(acc[v], x, m + LANES * v);
  }
  for (int v = 0; v < NL; v++) lane_store(w + LANES * v, lane_scale_add(acc[v], rate, lane_load(w + LANES * v)));
}

/**
 * Plain SGD on W[K×N] with the gradient Xᵀ·M of X's column index, fused: for each column k of X
 * that holds a non-zero, W[k, :] = g·(−learningRate) + W[k, :] with g summed in registers as
 * sparse_product does (the same values sgd_update would read from dW). The other rows of the
 * gradient are zero and would leave W unchanged, so they are skipped, and no dW is written.
 * Exact for plain SGD only: momentum, Adam and the others move every weight.
 */
EXPORT(sparse_sgd_update)
void sparse_sgd_update(int K, int N, const int *colStarts, const int *rowIds, const float *colValues,
                       const float *M, int ldm, float *W, int ldw, float learningRate) {
  float rate = -learningRate;
  for (int k = 0; k < K; k++) {
    int first = colStarts[k], last = colStarts[k + 1];
    if (first == last) continue;
    float *w = W + k * ldw;
    int j = 0;
    for (; j + 8 * LANES <= N; j += 8 * LANES) sparse_sgd_block(8, first, last, rowIds, colValues, M + j, ldm, w + j, rate);
    for (; j + 4 * LANES <= N; j += 4 * LANES) sparse_sgd_block(4, first, last, rowIds, colValues, M + j, ldm, w + j, rate);
    for (; j + LANES <= N; j += LANES) sparse_sgd_block(1, first, last, rowIds, colValues, M + j, ldm, w + j, rate);
    for (; j < N; j++) w[j] = sparse_dot(first, last, rowIds, colValues, M + j, ldm) * rate + w[j];
  }
}

#endif
