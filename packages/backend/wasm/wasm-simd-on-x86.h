// The subset of <wasm_simd128.h> that dense.c uses, on x86 SSE4.1, so that the same C builds the
// native (Node-API) kernels. Same results as WebAssembly SIMD for every non-NaN input.
#ifndef ACTLAB_WASM_SIMD_ON_X86_H
#define ACTLAB_WASM_SIMD_ON_X86_H

#include <immintrin.h>
#include <stdint.h>

typedef __m128i v128_t;

#define SIMD_INLINE static inline __attribute__((always_inline))

SIMD_INLINE v128_t wasm_v128_load(const void *p) { return _mm_loadu_si128((const __m128i *)p); }
SIMD_INLINE void wasm_v128_store(void *p, v128_t v) { _mm_storeu_si128((__m128i *)p, v); }
SIMD_INLINE v128_t wasm_v128_and(v128_t a, v128_t b) { return _mm_and_si128(a, b); }
SIMD_INLINE v128_t wasm_v128_or(v128_t a, v128_t b) { return _mm_or_si128(a, b); }
// (a & mask) | (b & ~mask), bit by bit, as wasm's v128.bitselect.
SIMD_INLINE v128_t wasm_v128_bitselect(v128_t a, v128_t b, v128_t mask) {
  return _mm_or_si128(_mm_and_si128(a, mask), _mm_andnot_si128(mask, b));
}

#define F(v) _mm_castsi128_ps(v)
#define I(v) _mm_castps_si128(v)
SIMD_INLINE v128_t wasm_f32x4_splat(float x) { return I(_mm_set1_ps(x)); }
SIMD_INLINE v128_t wasm_f32x4_add(v128_t a, v128_t b) { return I(_mm_add_ps(F(a), F(b))); }
SIMD_INLINE v128_t wasm_f32x4_sub(v128_t a, v128_t b) { return I(_mm_sub_ps(F(a), F(b))); }
SIMD_INLINE v128_t wasm_f32x4_mul(v128_t a, v128_t b) { return I(_mm_mul_ps(F(a), F(b))); }
SIMD_INLINE v128_t wasm_f32x4_div(v128_t a, v128_t b) { return I(_mm_div_ps(F(a), F(b))); }
SIMD_INLINE v128_t wasm_f32x4_sqrt(v128_t a) { return I(_mm_sqrt_ps(F(a))); }
SIMD_INLINE v128_t wasm_f32x4_min(v128_t a, v128_t b) { return I(_mm_min_ps(F(a), F(b))); }
SIMD_INLINE v128_t wasm_f32x4_max(v128_t a, v128_t b) { return I(_mm_max_ps(F(a), F(b))); }
SIMD_INLINE v128_t wasm_f32x4_abs(v128_t a) { return _mm_and_si128(a, _mm_set1_epi32(0x7fffffff)); }
SIMD_INLINE v128_t wasm_f32x4_neg(v128_t a) { return _mm_xor_si128(a, _mm_set1_epi32((int32_t)0x80000000)); }
SIMD_INLINE v128_t wasm_f32x4_nearest(v128_t a) {
  return I(_mm_round_ps(F(a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
SIMD_INLINE v128_t wasm_f32x4_lt(v128_t a, v128_t b) { return I(_mm_cmplt_ps(F(a), F(b))); }
SIMD_INLINE v128_t wasm_f32x4_le(v128_t a, v128_t b) { return I(_mm_cmple_ps(F(a), F(b))); }
SIMD_INLINE v128_t wasm_f32x4_gt(v128_t a, v128_t b) { return I(_mm_cmpgt_ps(F(a), F(b))); }
SIMD_INLINE v128_t wasm_f32x4_ge(v128_t a, v128_t b) { return I(_mm_cmpge_ps(F(a), F(b))); }
SIMD_INLINE float wasm_f32x4_extract_lane_0(v128_t a) { return _mm_cvtss_f32(F(a)); }
#define wasm_f32x4_extract_lane(v, lane) wasm_f32x4_extract_lane_##lane(v)
// Inputs are clamped before conversion in dense.c, so truncation never saturates.
SIMD_INLINE v128_t wasm_i32x4_trunc_sat_f32x4(v128_t a) { return _mm_cvttps_epi32(F(a)); }
SIMD_INLINE v128_t wasm_i32x4_splat(int32_t x) { return _mm_set1_epi32(x); }
SIMD_INLINE v128_t wasm_i32x4_add(v128_t a, v128_t b) { return _mm_add_epi32(a, b); }
SIMD_INLINE v128_t wasm_i32x4_make(int32_t a, int32_t b, int32_t c, int32_t d) {
  return _mm_setr_epi32(a, b, c, d);
}
SIMD_INLINE v128_t wasm_i32x4_shl(v128_t a, int32_t bits) { return _mm_slli_epi32(a, bits); }
#undef F
#undef I

#endif
