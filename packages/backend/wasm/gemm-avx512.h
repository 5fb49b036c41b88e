// The GEMM of gemm-avx2.h for x86 with AVX-512F (the native build chooses it at run time when the
// CPU has AVX-512; native/avx512.c compiles it alone with -mavx512f so that the rest of the
// library still loads on AVX2-only CPUs). Same contract, and the same chain per element of C:
// acc = fma(a_k, b_k, acc) over k in order from 0, partial sums stored and reloaded between K
// blocks. So its results equal the AVX2 kernel's (and the sparse kernels') bit for bit.
//
// A 12×32 micro-kernel: 24 zmm accumulators and 2 for the row of B (of 32 registers), A's
// broadcasts folded into the multiply-adds. Every column panel of B is packed, the last one
// zero-padded to 16 or 32 columns and stored through a mask, so no column is left to a scalar
// tail.
#ifndef ACTLAB_GEMM_AVX512_H
#define ACTLAB_GEMM_AVX512_H

#include <immintrin.h>

#ifndef INLINE
#define INLINE static inline __attribute__((always_inline))
#endif

#define MR512 12
// Rows of K per packed block: a 32-column panel of 128 rows is 16 KiB, in L1 beside A's rows.
#define KC512 128

// C[MR × 16·NV] (columns past `lastMask` of the last vector untouched) from a packed panel of kc
// rows; C holds the partial sums of the earlier K blocks (first = 0) or nothing yet (first = 1).
INLINE void tile512(int MR, int NV, int kc, const float *A, int rowStride, int kStride, const float *packed,
                    float *C, int ldc, int first, __mmask16 lastMask) {
  __m512 acc[MR512][2];
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) {
      __mmask16 mask = v == NV - 1 ? lastMask : (__mmask16)0xffff;
      acc[r][v] = first ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mask, C + r * ldc + 16 * v);
    }
  const float *a = A;
  const float *b = packed;
  for (int k = 0; k < kc; k++) {
    __m512 bv[2];
    for (int v = 0; v < NV; v++) bv[v] = _mm512_load_ps(b + 16 * v);
    for (int r = 0; r < MR; r++) {
      __m512 av = _mm512_set1_ps(a[r * rowStride]);
      for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
    }
    a += kStride;
    b += 16 * NV;
  }
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) {
      __mmask16 mask = v == NV - 1 ? lastMask : (__mmask16)0xffff;
      _mm512_mask_storeu_ps(C + r * ldc + 16 * v, mask, acc[r][v]);
    }
}

#define TILE512_CASE(R)                                                                      \
  case R:                                                                                    \
    if (NV == 2)                                                                             \
      tile512(R, 2, kc, A, rowStride, kStride, packed, C, ldc, first, lastMask);             \
    else                                                                                     \
      tile512(R, 1, kc, A, rowStride, kStride, packed, C, ldc, first, lastMask);             \
    break;

// The last rows of a panel (fewer than MR512), each count with its own registers.
static void tile512_rows(int MR, int NV, int kc, const float *A, int rowStride, int kStride,
                         const float *packed, float *C, int ldc, int first, __mmask16 lastMask) {
  switch (MR) {
    TILE512_CASE(1)
    TILE512_CASE(2)
    TILE512_CASE(3)
    TILE512_CASE(4)
    TILE512_CASE(5)
    TILE512_CASE(6)
    TILE512_CASE(7)
    TILE512_CASE(8)
    TILE512_CASE(9)
    TILE512_CASE(10)
    TILE512_CASE(11)
    default: break;
  }
}

static void panel512(int NV, int M, int kc, const float *A, int rowStride, int kStride, const float *packed,
                     float *C, int ldc, int first, __mmask16 lastMask) {
  int i = 0;
  if (NV == 2)
    for (; i + MR512 <= M; i += MR512)
      tile512(MR512, 2, kc, A + i * rowStride, rowStride, kStride, packed, C + i * ldc, ldc, first, lastMask);
  else
    for (; i + MR512 <= M; i += MR512)
      tile512(MR512, 1, kc, A + i * rowStride, rowStride, kStride, packed, C + i * ldc, ldc, first, lastMask);
  if (i < M)
    tile512_rows(M - i, NV, kc, A + i * rowStride, rowStride, kStride, packed, C + i * ldc, ldc, first,
                 lastMask);
}

// C[M×N] = op(A)·B (accumulate = 0) or C += op(A)·B (accumulate = 1) for K ≥ 1, as gemm() of
// gemm-avx2.h (the dense dispatcher sends K = 0 there). Accumulating starts each chain from C
// instead of adding C to the finished chain: conv.c's filter gradient sums its row blocks so.
INLINE void gemm512(int M, int N, int K, const float *A, int rowStride, int kStride, const float *B, int ldb,
                    float *C, int ldc, int accumulate) {
  float packed[KC512 * 32] __attribute__((aligned(64)));
  for (int j0 = 0; j0 < N; j0 += 32) {
    int width = N - j0 < 32 ? N - j0 : 32;
    int NV = width > 16 ? 2 : 1;
    int rest = width - 16 * (NV - 1);
    __mmask16 lastMask = (__mmask16)(rest == 16 ? 0xffff : (1u << rest) - 1);
    for (int k0 = 0; k0 < K; k0 += KC512) {
      int kc = K - k0 < KC512 ? K - k0 : KC512;
      for (int k = 0; k < kc; k++) {
        const float *row = B + (k0 + k) * ldb + j0;
        float *p = packed + 16 * NV * k;
        if (NV == 2) {
          _mm512_store_ps(p, _mm512_loadu_ps(row));
          _mm512_store_ps(p + 16, _mm512_maskz_loadu_ps(lastMask, row + 16));
        } else {
          _mm512_store_ps(p, _mm512_maskz_loadu_ps(lastMask, row));
        }
      }
      // Splitting K stores partial sums in C and reloads them: the same chain of fma per element.
      panel512(NV, M, kc, A + k0 * kStride, rowStride, kStride, packed, C + j0, ldc, k0 == 0 && !accumulate,
               lastMask);
    }
  }
}

#endif
