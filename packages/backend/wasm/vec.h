// Element-wise vectors of dense.c (activations with their derivatives, the loss's exp, optimizer
// updates): 4 lanes of WebAssembly SIMD (on x86 through wasm-simd-on-x86.h), 8 lanes of AVX2 in
// the native build. Every operation works lane by lane with the same IEEE arithmetic and the same
// x86 instruction semantics in both native widths, so an element's value does not depend on the
// width it was computed at (nor on whether it fell in a vector or a scalar tail).
#ifndef ACTLAB_VEC_H
#define ACTLAB_VEC_H

#ifndef INLINE
#define INLINE static inline __attribute__((always_inline))
#endif

#if defined(__AVX2__)
#include <immintrin.h>

typedef __m256 vf;
#define VF_LANES 8
INLINE vf vf_splat(float x) { return _mm256_set1_ps(x); }
INLINE vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
INLINE void vf_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
INLINE vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
INLINE vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
INLINE vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
INLINE vf vf_div(vf a, vf b) { return _mm256_div_ps(a, b); }
INLINE vf vf_sqrt(vf a) { return _mm256_sqrt_ps(a); }
INLINE vf vf_min(vf a, vf b) { return _mm256_min_ps(a, b); }
INLINE vf vf_max(vf a, vf b) { return _mm256_max_ps(a, b); }
INLINE vf vf_and(vf a, vf b) { return _mm256_and_ps(a, b); }
INLINE vf vf_or(vf a, vf b) { return _mm256_or_ps(a, b); }
INLINE vf vf_bits(int32_t bits) { return _mm256_castsi256_ps(_mm256_set1_epi32(bits)); }
INLINE vf vf_abs(vf a) { return _mm256_and_ps(a, vf_bits(0x7fffffff)); }
INLINE vf vf_neg(vf a) { return _mm256_xor_ps(a, vf_bits((int32_t)0x80000000)); }
INLINE vf vf_nearest(vf a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
// Comparisons: all ones where true (the predicates of SSE's cmpltps … cmpgeps).
INLINE vf vf_lt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OS); }
INLINE vf vf_le(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LE_OS); }
INLINE vf vf_gt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GT_OS); }
INLINE vf vf_ge(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GE_OS); }
// (a & mask) | (b & ~mask), bit by bit.
INLINE vf vf_bitselect(vf a, vf b, vf mask) { return _mm256_or_ps(_mm256_and_ps(a, mask), _mm256_andnot_ps(mask, b)); }
// 2^n for whole n in [-126, 127] (exp's scale).
INLINE vf vf_pow2i(vf n) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23));
}
INLINE float vf_lane0(vf v) { return _mm256_cvtss_f32(v); }
#else
typedef v128_t vf;
#define VF_LANES 4
#define vf_splat wasm_f32x4_splat
#define vf_load wasm_v128_load
#define vf_store wasm_v128_store
#define vf_add wasm_f32x4_add
#define vf_sub wasm_f32x4_sub
#define vf_mul wasm_f32x4_mul
#define vf_div wasm_f32x4_div
#define vf_sqrt wasm_f32x4_sqrt
#define vf_min wasm_f32x4_min
#define vf_max wasm_f32x4_max
#define vf_and wasm_v128_and
#define vf_or wasm_v128_or
#define vf_bits wasm_i32x4_splat
#define vf_abs wasm_f32x4_abs
#define vf_neg wasm_f32x4_neg
#define vf_nearest wasm_f32x4_nearest
#define vf_lt wasm_f32x4_lt
#define vf_le wasm_f32x4_le
#define vf_gt wasm_f32x4_gt
#define vf_ge wasm_f32x4_ge
#define vf_bitselect wasm_v128_bitselect
INLINE vf vf_pow2i(vf n) {
  return wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
}
INLINE float vf_lane0(vf v) { return wasm_f32x4_extract_lane(v, 0); }
#endif

#endif
