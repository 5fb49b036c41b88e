// GEMM micro-kernels shared by the WebAssembly modules (dense.c, conv.c): 128-bit SIMD, no libc.
// The native build of dense.c (scripts/build-native.mjs) takes the AVX2 + FMA GEMM of
// gemm-avx2.h instead, with the same contract.
#ifndef ACTLAB_GEMM_H
#define ACTLAB_GEMM_H

#if defined(__wasm__)
#include <wasm_simd128.h>
#else
#include "wasm-simd-on-x86.h"
#endif

#ifndef INLINE
#define INLINE static inline __attribute__((always_inline))
#endif

#if defined(__AVX2__) && defined(__FMA__)
#include "gemm-avx2.h"
#else
INLINE float madd_scalar(float acc, float a, float b) { return acc + a * b; }

// One register of accumulators for the sparse kernels of dense.c: 4 floats.
typedef v128_t lane_t;
#define LANES 4
INLINE lane_t lane_zero(void) { return wasm_f32x4_splat(0.0f); }
INLINE lane_t lane_madd(lane_t acc, float a, const float *b) {
  return wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_splat(a), wasm_v128_load(b)));
}
INLINE void lane_store(float *p, lane_t v) { wasm_v128_store(p, v); }
INLINE lane_t lane_load(const float *p) { return wasm_v128_load(p); }
// a·s + b as separate multiply and add (sgd_update's rounding, not a fused multiply-add).
INLINE lane_t lane_scale_add(lane_t a, float s, lane_t b) {
  return wasm_f32x4_add(wasm_f32x4_mul(a, wasm_f32x4_splat(s)), b);
}

// ---------------------------------------------------------------------------------------------
// GEMM. C[M×N] (=|+=) op(A)·B with B row-major K×N. A is either row-major M×K (rowStride = lda,
// kStride = 1) or stored transposed as K×M (rowStride = 1, kStride = lda). The micro-kernel keeps
// an MR×(4·NV) tile of C in registers; MR ≤ 4 and NV ≤ 2 keep it within the 16 xmm registers
// V8 can use on x64.

INLINE void tile(int MR, int NV, int K, const float *A, int rowStride, int kStride,
                 const float *B, int ldb, float *C, int ldc, int accumulate) {
  v128_t acc[4][2];
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = wasm_f32x4_splat(0.0f);
  const float *a = A;
  const float *b = B;
  for (int k = 0; k < K; k++) {
    v128_t bv[2];
    for (int v = 0; v < NV; v++) bv[v] = wasm_v128_load(b + 4 * v);
    for (int r = 0; r < MR; r++) {
      v128_t av = wasm_f32x4_splat(a[r * rowStride]);
      for (int v = 0; v < NV; v++) acc[r][v] = wasm_f32x4_add(acc[r][v], wasm_f32x4_mul(av, bv[v]));
    }
    a += kStride;
    b += ldb;
  }
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) {
      float *c = C + r * ldc + 4 * v;
      v128_t out = acc[r][v];
      if (accumulate) out = wasm_f32x4_add(out, wasm_v128_load(c));
      wasm_v128_store(c, out);
    }
}

INLINE void tile_scalar(int MR, int K, const float *A, int rowStride, int kStride, const float *B,
                        int ldb, float *C, int ldc, int accumulate) {
  for (int r = 0; r < MR; r++) {
    float sum = 0.0f;
    const float *a = A + r * rowStride;
    for (int k = 0; k < K; k++) sum = madd_scalar(sum, a[k * kStride], B[k * ldb]);
    C[r * ldc] = accumulate ? C[r * ldc] + sum : sum;
  }
}

INLINE void rows(int MR, int N, int K, const float *A, int rowStride, int kStride, const float *B,
                 int ldb, float *C, int ldc, int accumulate) {
  int j = 0;
  for (; j + 8 <= N; j += 8) tile(MR, 2, K, A, rowStride, kStride, B + j, ldb, C + j, ldc, accumulate);
  for (; j + 4 <= N; j += 4) tile(MR, 1, K, A, rowStride, kStride, B + j, ldb, C + j, ldc, accumulate);
  for (; j < N; j++) tile_scalar(MR, K, A, rowStride, kStride, B + j, ldb, C + j, ldc, accumulate);
}

INLINE void gemm(int M, int N, int K, const float *A, int rowStride, int kStride, const float *B,
                 int ldb, float *C, int ldc, int accumulate) {
  // Column panels of B small enough to stay in L1 while every row block of A streams past.
  const int panel = 64;
  for (int j0 = 0; j0 < N; j0 += panel) {
    int n = N - j0 < panel ? N - j0 : panel;
    int i = 0;
    for (; i + 4 <= M; i += 4)
      rows(4, n, K, A + i * rowStride, rowStride, kStride, B + j0, ldb, C + i * ldc + j0, ldc, accumulate);
    for (; i < M; i++)
      rows(1, n, K, A + i * rowStride, rowStride, kStride, B + j0, ldb, C + i * ldc + j0, ldc, accumulate);
  }
}

#endif  // __AVX2__ && __FMA__

#endif
