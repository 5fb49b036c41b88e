// The sparse-input kernels of dense.c (included by it after gemm.h, whose lane_t, lane_madd and
// madd_scalar they use): the WebAssembly module and the native build share them.
//
// MNIST pixels are ~80 % zeros. sparse_index lists each row's non-zero inputs (column and value,
// in increasing column order) and marks, for each input column, the rows where it is non-zero
// (one bit per row). The forward product sums out[r, :] = Σ values[e]·W[indices[e], :] over row
// r's list in registers; the weight gradient sums dW[k, :] = Σ X[r, k]·G[r, :] over the rows
// marked in column k's bits (increasing r) in registers the same way, so the columns without a
// non-zero cost nothing and each row of dW is written once. Both follow the dense GEMM's order
// with its multiply-add (zeros skipped add nothing), so results equal it bit for bit. This file
// indexes; the forward product is in sparse-rows.h (also at 16 AVX-512 lanes: sparse-avx512.h),
// the gradient and the fused SGD step in sparse-columns.h.
#ifndef ACTLAB_SPARSE_H
#define ACTLAB_SPARSE_H

#include "sparse-columns.h"

/** The number of non-zero values among X[0…count). */
EXPORT(count_nonzero)
int count_nonzero(int count, const float *X) {
  int nonzero = 0;
  for (int i = 0; i < count; i++) nonzero += X[i] != 0.0f;
  return nonzero;
}

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

#endif
