// The column kernels of the sparse-input layer (sparse.h marks, for each input column, the rows
// where it is non-zero): the weight gradient Xᵀ·M and the fused SGD step, at the lanes of gemm.h
// (4 WebAssembly lanes, 8 of AVX2). Their sums are chains over the set rows, one per column: the
// chains' latency bounds them, not the width of a register (16 AVX-512 lanes measured no faster
// than 8 of AVX2 on MNIST's first layer), so the native build runs them at 8 lanes on every CPU.
#ifndef ACTLAB_SPARSE_COLUMNS_H
#define ACTLAB_SPARSE_COLUMNS_H

#include "sparse-rows.h"

/** 64-bit words of row bits per column for a batch of rowCount rows. */
INLINE int row_words(int rowCount) { return (rowCount + 63) / 64; }

// Registers per strip of the column kernels: strips of M at most 64 floats wide, so that a
// batch's strip (128 rows: 32 KiB) stays in L1 while every column of X passes.
#define COLUMN_LANES (64 / LANES < 8 ? 64 / LANES : 8)

// Batches of at most this many rows have their strip of M packed (copied to consecutive rows)
// first: a strip of a wider M, with its rows ldm apart, maps to a fraction of L1's sets and
// does not stay in L1 (N = 128: half of them).
#define PACK_ROWS 128

// The strip M[0…rows, j…j + width) to run the column kernels on: packed into `packed` (*ld =
// width) when rows ≤ PACK_ROWS and width > 0, else where it is (*ld = ldm).
INLINE const float *column_strip(int rows, int width, const float *M, int ldm, int j, float *packed, int *ld) {
  if (rows > PACK_ROWS || width == 0) {
    *ld = ldm;
    return M + j;
  }
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < width; c += LANES) lane_store(packed + r * width + c, lane_load(M + r * ldm + j + c));
  *ld = width;
  return packed;
}

// acc = Σ x[r·ldx]·M[r, 0…NL·LANES) over the rows r set in a column's bits (its words are
// `stride` apart; increasing r).
INLINE void column_block(int NL, const uint64_t *bits, int words, int stride, const float *x, int ldx,
                         const float *M, int ldm, lane_t *acc) {
  for (int v = 0; v < NL; v++) acc[v] = lane_zero();
  for (int w = 0; w < words; w++)
    for (uint64_t b = bits[w * stride]; b; b &= b - 1) {
      int r = 64 * w + __builtin_ctzll(b);
      const float *m = M + r * ldm;
      float value = x[r * ldx];
      for (int v = 0; v < NL; v++) acc[v] = lane_madd(acc[v], value, m + LANES * v);
    }
}

INLINE float column_dot(const uint64_t *bits, int words, int stride, const float *x, int ldx, const float *M,
                        int ldm) {
  float sum = 0.0f;
  for (int w = 0; w < words; w++)
    for (uint64_t b = bits[w * stride]; b; b &= b - 1) {
      int r = 64 * w + __builtin_ctzll(b);
      sum = madd_scalar(sum, x[r * ldx], M[r * ldm]);
    }
  return sum;
}

INLINE void column_product_block(int NL, const uint64_t *bits, int words, int stride, const float *x,
                                 int ldx, const float *M, int ldm, float *out) {
  lane_t acc[8];
  column_block(NL, bits, words, stride, x, ldx, M, ldm, acc);
  for (int v = 0; v < NL; v++) lane_store(out + LANES * v, acc[v]);
}

/**
 * out[K×N] = Xᵀ·M for X[rows×K] (leading dimension ldx) with the column bits of sparse_index and
 * M[rows×N]: the first layer's weight gradient. Rows of out for columns without a non-zero are 0.
 */
EXPORT(sparse_transposed_product)
void sparse_transposed_product(int rowCount, int N, int K, const uint64_t *colBits, const float *X, int ldx,
                               const float *M, int ldm, float *out, int ldo) {
  int words = row_words(rowCount);
  // Column strips of M outside, so that the strip stays in L1 while every column of X passes.
  float packed[PACK_ROWS * COLUMN_LANES * LANES] __attribute__((aligned(64)));
  for (int j = 0; j < N;) {
    int NL = strip_lanes(N - j, COLUMN_LANES), lds;
    const float *S = column_strip(rowCount, NL * LANES, M, ldm, j, packed, &lds);
    for (int k = 0; k < K; k++) {
      const uint64_t *bits = colBits + k;
      const float *x = X + k;
      float *o = out + k * ldo + j;
      switch (NL) {
        case 8: column_product_block(8, bits, words, K, x, ldx, S, lds, o); break;
        case 4: column_product_block(4, bits, words, K, x, ldx, S, lds, o); break;
        case 2: column_product_block(2, bits, words, K, x, ldx, S, lds, o); break;
        case 1: column_product_block(1, bits, words, K, x, ldx, S, lds, o); break;
        default: *o = column_dot(bits, words, K, x, ldx, M + j, ldm); break;
      }
    }
    j += NL ? NL * LANES : 1;
  }
}

INLINE void column_sgd_block(int NL, const uint64_t *bits, int words, int stride, const float *x, int ldx,
                             const float *M, int ldm, float *w, float rate) {
  lane_t acc[8];
  column_block(NL, bits, words, stride, x, ldx, M, ldm, acc);
  for (int v = 0; v < NL; v++) lane_store(w + LANES * v, lane_scale_add(acc[v], rate, lane_load(w + LANES * v)));
}

/**
 * Plain SGD on W[K×N] with the gradient Xᵀ·M of sparse_transposed_product, fused: for each column
 * k of X that holds a non-zero, W[k, :] = g·(−learningRate) + W[k, :] with g summed in registers
 * (the values sgd_update would read from dW, and its rounding). The other rows of the gradient
 * are zero and would leave W unchanged, so they are skipped, and no dW is written. Exact for
 * plain SGD only: momentum, Adam and the others move every weight.
 */
EXPORT(sparse_sgd_update)
void sparse_sgd_update(int rowCount, int N, int K, const uint64_t *colBits, const float *X, int ldx,
                       const float *M, int ldm, float *W, int ldw, float learningRate) {
  int words = row_words(rowCount);
  float rate = -learningRate;
  // As sparse_transposed_product: column strips of M outside.
  float packed[PACK_ROWS * COLUMN_LANES * LANES] __attribute__((aligned(64)));
  for (int j = 0; j < N;) {
    int NL = strip_lanes(N - j, COLUMN_LANES), lds;
    const float *S = column_strip(rowCount, NL * LANES, M, ldm, j, packed, &lds);
    for (int k = 0; k < K; k++) {
      const uint64_t *bits = colBits + k;
      uint64_t any = 0;
      for (int w = 0; w < words; w++) any |= bits[w * K];
      if (!any) continue;
      float *w = W + k * ldw + j;
      const float *x = X + k;
      switch (NL) {
        case 8: column_sgd_block(8, bits, words, K, x, ldx, S, lds, w, rate); break;
        case 4: column_sgd_block(4, bits, words, K, x, ldx, S, lds, w, rate); break;
        case 2: column_sgd_block(2, bits, words, K, x, ldx, S, lds, w, rate); break;
        case 1: column_sgd_block(1, bits, words, K, x, ldx, S, lds, w, rate); break;
        default: *w = column_dot(bits, words, K, x, ldx, M + j, ldm) * rate + *w; break;
      }
    }
    j += NL ? NL * LANES : 1;
  }
}

#endif
