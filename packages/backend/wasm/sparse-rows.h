// The row kernel of the sparse-input layer (sparse.h indexes the batch for it): out = X·M from
// each row's list of non-zero inputs. Written against the lanes of the file that includes it
// (lane_t, LANES, lane_zero, lane_load, lane_store, lane_madd: a fused multiply-add in the
// native builds, madd_scalar): gemm.h gives 4 WebAssembly lanes or 8 of AVX2 (dense.c),
// sparse-avx512.h 16 of AVX-512F under the name sparse_product_avx512 (SPARSE_NAME). Each
// element is the same chain of multiply-adds at every width (only how many columns share a
// register changes), so every width gives the same bits.
#ifndef ACTLAB_SPARSE_ROWS_H
#define ACTLAB_SPARSE_ROWS_H

#ifndef SPARSE_NAME
#define SPARSE_NAME(name) name
#endif

// Columns of M (bytes of one strip) whose rows stay in L1 while every row of the batch passes.
#define SPARSE_BLOCK_BYTES 32768
// Registers (8, 4, 2 or 1, at most `most`) for the next strip of `width` columns; 0 when fewer
// than LANES are left (the scalar tail).
INLINE int strip_lanes(int width, int most) {
  for (int NL = 8; NL > 0; NL /= 2)
    if (NL <= most && width >= NL * LANES) return NL;
  return 0;
}

// out[0…NL·LANES) (= 0, or the partial sums already there when !first) += values[e]·M[indices[e], …]
// for row entries e from *cursor on while indices[e] < limit; *cursor moves past them.
INLINE void sparse_block(int NL, int *cursor, int last, int limit, const int *indices, const float *values,
                         const float *M, int ldm, float *out, int first) {
  lane_t acc[8];
  for (int v = 0; v < NL; v++) acc[v] = first ? lane_zero() : lane_load(out + LANES * v);
  int e = *cursor;
  for (; e < last && indices[e] < limit; e++) {
    const float *m = M + indices[e] * ldm;
    float x = values[e];
    for (int v = 0; v < NL; v++) acc[v] = lane_madd(acc[v], x, m + LANES * v);
  }
  *cursor = e;
  for (int v = 0; v < NL; v++) lane_store(out + LANES * v, acc[v]);
}

/**
 * out[r×N] = Σ_{e in list r} values[e]·M[indices[e], :] for r < rows (X·M from X's row index,
 * M with K rows). Column strips of out are summed in registers over blocks of M's rows that fit
 * L1 (M is read at random rows, ~80 % of it each row), storing and reloading the partial sums
 * between blocks: the same chain of multiply-adds per element.
 */
EXPORT(sparse_product)
void SPARSE_NAME(sparse_product)(int rowCount, int N, int K, const int *starts, const int *indices, const float *values,
                    const float *M, int ldm, float *out, int ldo) {
  int cursor[256];
  for (int r0 = 0; r0 < rowCount; r0 += 256) {
    int rows = rowCount - r0 < 256 ? rowCount - r0 : 256;
    int j = 0;
    while (j + LANES <= N) {
      int NL = strip_lanes(N - j, 8);
      int block = SPARSE_BLOCK_BYTES / (NL * LANES * 4);
      for (int r = 0; r < rows; r++) cursor[r] = starts[r0 + r];
      for (int k0 = 0; k0 < K; k0 += block) {
        for (int r = 0; r < rows; r++) {
          float *o = out + (r0 + r) * ldo + j;
          int last = starts[r0 + r + 1], limit = k0 + block, first = k0 == 0;
          switch (NL) {
            case 8: sparse_block(8, cursor + r, last, limit, indices, values, M + j, ldm, o, first); break;
            case 4: sparse_block(4, cursor + r, last, limit, indices, values, M + j, ldm, o, first); break;
            case 2: sparse_block(2, cursor + r, last, limit, indices, values, M + j, ldm, o, first); break;
            default: sparse_block(1, cursor + r, last, limit, indices, values, M + j, ldm, o, first); break;
          }
        }
      }
      j += NL * LANES;
    }
    for (; j < N; j++)
      for (int r = r0; r < r0 + rows; r++) {
        float sum = 0.0f;
        for (int e = starts[r]; e < starts[r + 1]; e++) sum = madd_scalar(sum, values[e], M[indices[e] * ldm + j]);
        out[r * ldo + j] = sum;
      }
  }
}

#endif
