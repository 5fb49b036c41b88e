// The GEMM of dense.c for x86 with AVX2 + FMA (the native build): same contract as the
// WebAssembly one, a 6×16 micro-kernel (12 ymm accumulators, 2 for the row of B, 1 broadcast:
// 15 of the 16 registers). Every element of C is one chain acc = fma(a_k, b_k, acc) over k in
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

INLINE void gemm(int M, int N, int K, const float *A, int rowStride, int kStride, const float *B,
                 int ldb, float *C, int ldc, int accumulate) {
  // Column panels of B that stay in L1/L2 while every block of 6 rows of A streams past.
  const int panel = 64;
  for (int j0 = 0; j0 < N; j0 += panel) {
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
