// The sparse-input kernels of dense.c (included by it after gemm.h, whose lane_t, lane_madd and
// madd_scalar they use): the WebAssembly module and the native build share them.
//
// MNIST pixels are ~80 % zeros. sparse_index lists each row's non-zero inputs (column and value,
// in increasing column order) and marks, for each input column, the rows where it is non-zero
// (one bit per row). The forward product sums out[r, :] = Σ values[e]·W[indices[e], :] over row
// r's list in registers; the weight gradient sums dW[k, :] = Σ X[r, k]·G[r, :] over the rows
// marked in column k's bits (increasing r) in registers the same way, so the columns without a
// non-zero cost nothing and each row of dW is written once. Both follow the dense GEMM's order
// with its multiply-add (zeros skipped add nothing), so results equal it bit for bit.
#ifndef ACTLAB_SPARSE_H
#define ACTLAB_SPARSE_H

/** The number of non-zero values among X[0…count). */
EXPORT(count_nonzero)
int count_nonzero(int count, const float *X) {
  int nonzero = 0;
  for (int i = 0; i < count; i++) nonzero += X[i] != 0.0f;
  return nonzero;
}

/** 64-bit words of row bits per column for a batch of rowCount rows. */
INLINE int row_words(int rowCount) { return (rowCount + 63) / 64; }

// Left-packing: the non-zero values of LANES inputs x[0…LANES) and their columns j + lane go to
// values[0…) and indices[0…) in lane order (a full vector is stored: LANES slots of room needed),
// bit rowBit is set in bits[lane] for each (when bits is given); returns how many there were.
// A table lookup instead of a branch per value.
#if defined(__AVX2__)
// Entry m: the lanes set in m, lowest first, one per nibble.
static const uint32_t pack_order[256] = {
    0x00000000, 0x00000000, 0x00000001, 0x00000010, 0x00000002, 0x00000020, 0x00000021, 0x00000210,
    0x00000003, 0x00000030, 0x00000031, 0x00000310, 0x00000032, 0x00000320, 0x00000321, 0x00003210,
    0x00000004, 0x00000040, 0x00000041, 0x00000410, 0x00000042, 0x00000420, 0x00000421, 0x00004210,
    0x00000043, 0x00000430, 0x00000431, 0x00004310, 0x00000432, 0x00004320, 0x00004321, 0x00043210,
    0x00000005, 0x00000050, 0x00000051, 0x00000510, 0x00000052, 0x00000520, 0x00000521, 0x00005210,
    0x00000053, 0x00000530, 0x00000531, 0x00005310, 0x00000532, 0x00005320, 0x00005321, 0x00053210,
    0x00000054, 0x00000540, 0x00000541, 0x00005410, 0x00000542, 0x00005420, 0x00005421, 0x00054210,
    0x00000543, 0x00005430, 0x00005431, 0x00054310, 0x00005432, 0x00054320, 0x00054321, 0x00543210,
    0x00000006, 0x00000060, 0x00000061, 0x00000610, 0x00000062, 0x00000620, 0x00000621, 0x00006210,
    0x00000063, 0x00000630, 0x00000631, 0x00006310, 0x00000632, 0x00006320, 0x00006321, 0x00063210,
    0x00000064, 0x00000640, 0x00000641, 0x00006410, 0x00000642, 0x00006420, 0x00006421, 0x00064210,
    0x00000643, 0x00006430, 0x00006431, 0x00064310, 0x00006432, 0x00064320, 0x00064321, 0x00643210,
    0x00000065, 0x00000650, 0x00000651, 0x00006510, 0x00000652, 0x00006520, 0x00006521, 0x00065210,
    0x00000653, 0x00006530, 0x00006531, 0x00065310, 0x00006532, 0x00065320, 0x00065321, 0x00653210,
    0x00000654, 0x00006540, 0x00006541, 0x00065410, 0x00006542, 0x00065420, 0x00065421, 0x00654210,
    0x00006543, 0x00065430, 0x00065431, 0x00654310, 0x00065432, 0x00654320, 0x00654321, 0x06543210,
    0x00000007, 0x00000070, 0x00000071, 0x00000710, 0x00000072, 0x00000720, 0x00000721, 0x00007210,
    0x00000073, 0x00000730, 0x00000731, 0x00007310, 0x00000732, 0x00007320, 0x00007321, 0x00073210,
    0x00000074, 0x00000740, 0x00000741, 0x00007410, 0x00000742, 0x00007420, 0x00007421, 0x00074210,
    0x00000743, 0x00007430, 0x00007431, 0x00074310, 0x00007432, 0x00074320, 0x00074321, 0x00743210,
    0x00000075, 0x00000750, 0x00000751, 0x00007510, 0x00000752, 0x00007520, 0x00007521, 0x00075210,
    0x00000753, 0x00007530, 0x00007531, 0x00075310, 0x00007532, 0x00075320, 0x00075321, 0x00753210,
    0x00000754, 0x00007540, 0x00007541, 0x00075410, 0x00007542, 0x00075420, 0x00075421, 0x00754210,
    0x00007543, 0x00075430, 0x00075431, 0x00754310, 0x00075432, 0x00754320, 0x00754321, 0x07543210,
    0x00000076, 0x00000760, 0x00000761, 0x00007610, 0x00000762, 0x00007620, 0x00007621, 0x00076210,
    0x00000763, 0x00007630, 0x00007631, 0x00076310, 0x00007632, 0x00076320, 0x00076321, 0x00763210,
    0x00000764, 0x00007640, 0x00007641, 0x00076410, 0x00007642, 0x00076420, 0x00076421, 0x00764210,
    0x00007643, 0x00076430, 0x00076431, 0x00764310, 0x00076432, 0x00764320, 0x00764321, 0x07643210,
    0x00000765, 0x00007650, 0x00007651, 0x00076510, 0x00007652, 0x00076520, 0x00076521, 0x00765210,
    0x00007653, 0x00076530, 0x00076531, 0x00765310, 0x00076532, 0x00765320, 0x00765321, 0x07653210,
    0x00007654, 0x00076540, 0x00076541, 0x00765410, 0x00076542, 0x00765420, 0x00765421, 0x07654210,
    0x00076543, 0x00765430, 0x00765431, 0x07654310, 0x00765432, 0x07654320, 0x07654321, 0x76543210,
};

INLINE int pack_nonzero(const float *x, int j, int *indices, float *values, uint64_t *bits, uint64_t rowBit) {
  __m256 v = _mm256_loadu_ps(x);
  __m256 nonzero = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_NEQ_UQ);
  int mask = _mm256_movemask_ps(nonzero);
  __m256i order = _mm256_and_si256(
      _mm256_srlv_epi32(_mm256_set1_epi32((int)pack_order[mask]), _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28)),
      _mm256_set1_epi32(15));
  _mm256_storeu_ps(values, _mm256_permutevar8x32_ps(v, order));
  _mm256_storeu_si256((__m256i *)indices, _mm256_add_epi32(order, _mm256_set1_epi32(j)));
  if (bits) {
    __m256i set = _mm256_castps_si256(nonzero), bit = _mm256_set1_epi64x((long long)rowBit);
    __m256i low = _mm256_and_si256(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(set)), bit);
    __m256i high = _mm256_and_si256(_mm256_cvtepi32_epi64(_mm256_extracti128_si256(set, 1)), bit);
    _mm256_storeu_si256((__m256i *)bits, _mm256_or_si256(_mm256_loadu_si256((const __m256i *)bits), low));
    _mm256_storeu_si256((__m256i *)(bits + 4), _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(bits + 4)), high));
  }
  return __builtin_popcount((unsigned)mask);
}
#else
// Entry m: the bytes of the lanes set in m, lowest first (a swizzle).
static const uint8_t pack_order[16][16] = {
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0},
    {8, 9, 10, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 1, 2, 3, 8, 9, 10, 11, 0, 0, 0, 0, 0, 0, 0, 0},
    {4, 5, 6, 7, 8, 9, 10, 11, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 0, 0, 0},
    {12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 1, 2, 3, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0},
    {4, 5, 6, 7, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 0, 0, 0, 0},
    {8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0},
    {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
};

INLINE int pack_nonzero(const float *x, int j, int *indices, float *values, uint64_t *bits, uint64_t rowBit) {
  v128_t v = wasm_v128_load(x);
  v128_t nonzero = wasm_f32x4_ne(v, wasm_f32x4_splat(0.0f));
  int mask = wasm_i32x4_bitmask(nonzero);
  v128_t order = wasm_v128_load(pack_order[mask]);
  wasm_v128_store(values, wasm_i8x16_swizzle(v, order));
  v128_t columns = wasm_i32x4_add(wasm_i32x4_make(0, 1, 2, 3), wasm_i32x4_splat(j));
  wasm_v128_store(indices, wasm_i8x16_swizzle(columns, order));
  if (bits) {
    v128_t bit = wasm_i64x2_splat((int64_t)rowBit);
    v128_t low = wasm_v128_and(wasm_i64x2_extend_low_i32x4(nonzero), bit);
    v128_t high = wasm_v128_and(wasm_i64x2_extend_high_i32x4(nonzero), bit);
    wasm_v128_store(bits, wasm_v128_or(wasm_v128_load(bits), low));
    wasm_v128_store(bits + 2, wasm_v128_or(wasm_v128_load(bits + 2), high));
  }
  return __builtin_popcount((unsigned)mask);
}
#endif

/**
 * Indexes the non-zero values of X[rows×cols] by row: row i's entries are starts[i]…starts[i+1]
 * of indices (the column) and values, in increasing column order; both need room for 8 slots
 * past the last non-zero. When colBits is given (⌈rows / 64⌉ words × cols, word-major), bit
 * (r mod 64) of word ⌊r / 64⌋ of column k is set when X[r, k] is not zero.
 */
EXPORT(sparse_index)
void sparse_index(int rowCount, int colCount, const float *X, int *starts, int *indices, float *values,
                  uint64_t *colBits) {
  if (colBits)
    for (int i = 0; i < colCount * row_words(rowCount); i++) colBits[i] = 0;
  int e = 0;
  for (int i = 0; i < rowCount; i++) {
    starts[i] = e;
    const float *x = X + i * colCount;
    uint64_t rowBit = (uint64_t)1 << (i & 63);
    uint64_t *bits = colBits ? colBits + (i / 64) * colCount : 0;
    int j = 0;
    for (; j + LANES <= colCount; j += LANES)
      e += pack_nonzero(x + j, j, indices + e, values + e, bits ? bits + j : 0, rowBit);
    for (; j < colCount; j++) {
      if (x[j] == 0.0f) continue;
      indices[e] = j;
      values[e] = x[j];
      if (bits) bits[j] |= rowBit;
      e++;
    }
  }
  starts[rowCount] = e;
}

// Columns of M (bytes of one strip) whose rows stay in L1 while every row of the batch passes.
#define SPARSE_BLOCK_BYTES 32768

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
void sparse_product(int rowCount, int N, int K, const int *starts, const int *indices, const float *values,
                    const float *M, int ldm, float *out, int ldo) {
  int cursor[256];
  for (int r0 = 0; r0 < rowCount; r0 += 256) {
    int rows = rowCount - r0 < 256 ? rowCount - r0 : 256;
    int j = 0;
    while (j + LANES <= N) {
      int NL = N - j >= 8 * LANES ? 8 : N - j >= 4 * LANES ? 4 : 1;
      int block = SPARSE_BLOCK_BYTES / (NL * LANES * 4);
      for (int r = 0; r < rows; r++) cursor[r] = starts[r0 + r];
      for (int k0 = 0; k0 < K; k0 += block) {
        for (int r = 0; r < rows; r++) {
          float *o = out + (r0 + r) * ldo + j;
          int last = starts[r0 + r + 1], limit = k0 + block, first = k0 == 0;
          switch (NL) {
            case 8: sparse_block(8, cursor + r, last, limit, indices, values, M + j, ldm, o, first); break;
            case 4: sparse_block(4, cursor + r, last, limit, indices, values, M + j, ldm, o, first); break;
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
  // Column strips of M outside, so that the strip (rows × 64 floats at most) stays in L1 while
  // every column of X passes.
  int j = 0;
  for (; j + 8 * LANES <= N; j += 8 * LANES)
    for (int k = 0; k < K; k++)
      column_product_block(8, colBits + k, words, K, X + k, ldx, M + j, ldm, out + k * ldo + j);
  for (; j + 4 * LANES <= N; j += 4 * LANES)
    for (int k = 0; k < K; k++)
      column_product_block(4, colBits + k, words, K, X + k, ldx, M + j, ldm, out + k * ldo + j);
  for (; j + LANES <= N; j += LANES)
    for (int k = 0; k < K; k++)
      column_product_block(1, colBits + k, words, K, X + k, ldx, M + j, ldm, out + k * ldo + j);
  for (; j < N; j++)
    for (int k = 0; k < K; k++) out[k * ldo + j] = column_dot(colBits + k, words, K, X + k, ldx, M + j, ldm);
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
  for (int j = 0; j < N;) {
    int width = N - j >= 8 * LANES ? 8 * LANES : N - j >= 4 * LANES ? 4 * LANES : N - j >= LANES ? LANES : 1;
    for (int k = 0; k < K; k++) {
      const uint64_t *bits = colBits + k;
      uint64_t any = 0;
      for (int w = 0; w < words; w++) any |= bits[w * K];
      if (!any) continue;
      float *w = W + k * ldw + j;
      const float *x = X + k;
      switch (width) {
        case 8 * LANES: column_sgd_block(8, bits, words, K, x, ldx, M + j, ldm, w, rate); break;
        case 4 * LANES: column_sgd_block(4, bits, words, K, x, ldx, M + j, ldm, w, rate); break;
        case LANES: column_sgd_block(1, bits, words, K, x, ldx, M + j, ldm, w, rate); break;
        default: *w = column_dot(bits, words, K, x, ldx, M + j, ldm) * rate + *w; break;
      }
    }
    j += width;
  }
}

#endif
