// The row kernel of sparse-rows.h at 16 lanes of AVX-512F, named sparse_product_avx512 (the
// native build runs it with the AVX-512 GEMM: native/avx512.c compiles both alone with
// -mavx512f). Its lanes make the same fused multiply-adds and its scalar tail the same fmaf as
// gemm-avx2.h's, so each element equals the AVX2 kernel's (and the dense GEMM's) bit for bit; a
// 128-column strip needs one pass over a row's inputs instead of two (about 1.35× the AVX2
// kernel on MNIST's first layer, 128 units). The column kernels stay at 8 lanes (sparse-columns.h).
#ifndef ACTLAB_SPARSE_AVX512_H
#define ACTLAB_SPARSE_AVX512_H

#include <immintrin.h>

#ifndef INLINE
#define INLINE static inline __attribute__((always_inline))
#endif
#ifndef EXPORT
#define EXPORT(name)
#endif

INLINE float madd_scalar(float acc, float a, float b) { return __builtin_fmaf(a, b, acc); }

typedef __m512 lane_t;
#define LANES 16
INLINE lane_t lane_zero(void) { return _mm512_setzero_ps(); }
INLINE lane_t lane_madd(lane_t acc, float a, const float *b) {
  return _mm512_fmadd_ps(_mm512_set1_ps(a), _mm512_loadu_ps(b), acc);
}
INLINE void lane_store(float *p, lane_t v) { _mm512_storeu_ps(p, v); }
INLINE lane_t lane_load(const float *p) { return _mm512_loadu_ps(p); }

#define SPARSE_NAME(name) name##_avx512
#include "sparse-rows.h"

#endif
