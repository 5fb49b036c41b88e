// wasm/conv.c with the AVX-512 GEMM (wasm/gemm-avx512.h), in a translation unit of its own built
// with -mavx512f (scripts/build-native.mjs): it runs only after entry.c found AVX-512F, so the
// library still loads and runs on AVX2-only CPUs.
#include "../wasm/gemm-avx512.h"
#include "../wasm/gemm.h"

// gemm512 needs K ≥ 1; a convolution with no input channels takes gemm-avx2.h's path.
static inline __attribute__((always_inline)) void conv_gemm512(int M, int N, int K, const float *A,
                                                               int rowStride, int kStride,
                                                               const float *B, int ldb, float *C,
                                                               int ldc, int accumulate) {
  if (K > 0) gemm512(M, N, K, A, rowStride, kStride, B, ldb, C, ldc, accumulate);
  else gemm(M, N, K, A, rowStride, kStride, B, ldb, C, ldc, accumulate);
}

#define EXPORT(name) static
#define CONV_GEMM conv_gemm512
#include "../wasm/conv.c"

#include "conv-operations.h"

#define CONV_DISPATCH actlab_conv_avx512
__attribute__((visibility("hidden"))) void actlab_conv_avx512(int op, const ConvCallArgs *call);
#include "conv-dispatch.h"
