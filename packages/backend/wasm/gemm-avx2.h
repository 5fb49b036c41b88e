// The GEMM of gemm.h for x86 with AVX2 + FMA (the native build): same contract as the
// WebAssembly one, a 6×16 micro-kernel (12 ymm accumulators, 2 for the row of B, 1 broadcast:
// 15 of the 16 registers) on 16-column panels of B packed in K blocks of 256. Every element of C is one chain acc = fma(a_k, b_k, acc) over k in
// order from 0, whatever the tile: the sparse kernels of dense.c rely on it to match bit for bit.
#ifndef ACTLAB_GEMM_AVX2_H
#define ACTLAB_GEMM_AVX2_H

#include <immintrin.h>

INLINE float madd_scalar(float acc, float a, float b) { return __builtin_fmaf(a, b, acc); }

// One register of accumulators for the sparse kernels: 8 floats.
typedef __m256 lane_t;
#define LANES 8
INLINE lane_t lane_zero(void) { return _mm256_setzero_ps(); }
INLINE lane_t lane_madd(lane_t acc, float a, const float *b) {
  return _mm256_fmadd_ps(_mm256_set1_ps(a), _mm256_loadu_ps(b), acc);
}
INLINE void lane_store(float *p, lane_t v) { _mm256_storeu_ps(p, v); }
INLINE lane_t lane_load(const float *p) { return _mm256_loadu_ps(p); }
// a·s + b as separate multiply and add (sgd_update's rounding, not a fused multiply-add).
INLINE lane_t lane_scale_add(lane_t a, float s, lane_t b) {
  return _mm256_add_ps(_mm256_mul_ps(a, _mm256_set1_ps(s)), b);
}

INLINE void tile_avx2(int MR, int NV, int K, const float *A, int rowStride, int kStride,
                      const float *B, int ldb, float *C, int ldc, int accumulate) {
  __m256 acc[6][2];
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = _mm256_setzero_ps();
  const float *a = A;
  const float *b = B;
  for (int k = 0; k < K; k++) {
    __m256 bv[2];
    for (int v = 0; v < NV; v++) bv[v] = _mm256_loadu_ps(b + 8 * v);
    for (int r = 0; r < MR; r++) {
      __m256 av = _mm256_broadcast_ss(a + r * rowStride);
      for (int v = 0; v < NV; v++) acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
    }
    a += kStride;
    b += ldb;
  }
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) {
      float *c = C + r * ldc + 8 * v;
      __m256 out = acc[r][v];
      if (accumulate) out = _mm256_add_ps(out, _mm256_loadu_ps(c));
      _mm256_storeu_ps(c, out);
    }
}

INLINE void tile_scalar_avx2(int MR, int K, const float *A, int rowStride, int kStride,
                             const float *B, int ldb, float *C, int ldc, int accumulate) {
  for (int r = 0; r < MR; r++) {
    float sum = 0.0f;
    const float *a = A + r * rowStride;
    for (int k = 0; k < K; k++) sum = madd_scalar(sum, a[k * kStride], B[k * ldb]);
    C[r * ldc] = accumulate ? C[r * ldc] + sum : sum;
  }
}

INLINE void rows_avx2(int MR, int N, int K, const float *A, int rowStride, int kStride,
                      const float *B, int ldb, float *C, int ldc, int accumulate) {
  int j = 0;
  for (; j + 16 <= N; j += 16)
    tile_avx2(MR, 2, K, A, rowStride, kStride, B + j, ldb, C + j, ldc, accumulate);
  for (; j + 8 <= N; j += 8)
    tile_avx2(MR, 1, K, A, rowStride, kStride, B + j, ldb, C + j, ldc, accumulate);
  for (; j < N; j++)
    tile_scalar_avx2(MR, K, A, rowStride, kStride, B + j, ldb, C + j, ldc, accumulate);
}

// As tile_avx2 with 16 columns of B packed contiguously (kc×16) and C holding the partial sums
// of the earlier K blocks (first = 0) or nothing yet (first = 1).
INLINE void tile_packed(int MR, int kc, const float *A, int rowStride, int kStride,
                        const float *packed, float *C, int ldc, int first) {
  __m256 acc[6][2];
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < 2; v++)
      acc[r][v] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(C + r * ldc + 8 * v);
  const float *a = A;
  const float *b = packed;
  for (int k = 0; k < kc; k++) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    for (int r = 0; r < MR; r++) {
      __m256 av = _mm256_broadcast_ss(a + r * rowStride);
      acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
    }
    a += kStride;
    b += 16;
  }
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < 2; v++) _mm256_storeu_ps(C + r * ldc + 8 * v, acc[r][v]);
}

// Rows of K that keep a packed 16-column panel of B (16 KiB) in L1 while all of A streams past.
#define KC 256

INLINE void gemm(int M, int N, int K, const float *A, int rowStride, int kStride, const float *B,
                 int ldb, float *C, int ldc, int accumulate) {
  int j0 = 0;
  if (!accumulate) {
    // Splitting K stores partial sums in C and reloads them: the same chain of fma per element.
    float packed[KC * 16] __attribute__((aligned(32)));
    for (; j0 + 16 <= N; j0 += 16)
      for (int k0 = 0; k0 < K; k0 += KC) {
        int kc = K - k0 < KC ? K - k0 : KC;
        for (int k = 0; k < kc; k++) {
          const float *row = B + (k0 + k) * ldb + j0;
          _mm256_store_ps(packed + 16 * k, _mm256_loadu_ps(row));
          _mm256_store_ps(packed + 16 * k + 8, _mm256_loadu_ps(row + 8));
        }
        const float *A0 = A + k0 * kStride;
        float *C0 = C + j0;
        int first = k0 == 0;
        int i = 0;
        for (; i + 6 <= M; i += 6)
          tile_packed(6, kc, A0 + i * rowStride, rowStride, kStride, packed, C0 + i * ldc, ldc, first);
        const float *Ai = A0 + i * rowStride;
        float *Ci = C0 + i * ldc;
        switch (M - i) {
          case 5: tile_packed(5, kc, Ai, rowStride, kStride, packed, Ci, ldc, first); break;
          case 4: tile_packed(4, kc, Ai, rowStride, kStride, packed, Ci, ldc, first); break;
          case 3: tile_packed(3, kc, Ai, rowStride, kStride, packed, Ci, ldc, first); break;
          case 2: tile_packed(2, kc, Ai, rowStride, kStride, packed, Ci, ldc, first); break;
          case 1: tile_packed(1, kc, Ai, rowStride, kStride, packed, Ci, ldc, first); break;
          default: break;
        }
      }
  }
  // What is left (all of it when accumulating): column panels of B read in place.
  const int panel = 64;
  for (; j0 < N; j0 += panel) {
    int n = N - j0 < panel ? N - j0 : panel;
    const float *B0 = B + j0;
    float *C0 = C + j0;
    int i = 0;
    for (; i + 6 <= M; i += 6)
      rows_avx2(6, n, K, A + i * rowStride, rowStride, kStride, B0, ldb, C0 + i * ldc, ldc, accumulate);
    const float *Ai = A + i * rowStride;
    float *Ci = C0 + i * ldc;
    switch (M - i) {
      case 5: rows_avx2(5, n, K, Ai, rowStride, kStride, B0, ldb, Ci, ldc, accumulate); break;
      case 4: rows_avx2(4, n, K, Ai, rowStride, kStride, B0, ldb, Ci, ldc, accumulate); break;
      case 3: rows_avx2(3, n, K, Ai, rowStride, kStride, B0, ldb, Ci, ldc, accumulate); break;
      case 2: rows_avx2(2, n, K, Ai, rowStride, kStride, B0, ldb, Ci, ldc, accumulate); break;
      case 1: rows_avx2(1, n, K, Ai, rowStride, kStride, B0, ldb, Ci, ldc, accumulate); break;
      default: break;
    }
  }
}

#endif
