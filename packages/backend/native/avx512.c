// The AVX-512 kernels in a translation unit of their own, built with -mavx512f
// (scripts/build-native.mjs): the GEMM of wasm/gemm-avx512.h and the sparse-input row kernel of
// wasm/sparse-avx512.h (sparse_product_avx512). Nothing else of the library is compiled for AVX-512, so it loads and
// runs on AVX2-only CPUs, and these run only after entry.c found AVX-512F on the CPU.
#include "../wasm/gemm-avx512.h"
#include "../wasm/sparse-avx512.h"

__attribute__((visibility("hidden"))) void actlab_gemm_avx512(int M, int N, int K, const float *A,
                                                              int rowStride, int kStride, const float *B,
                                                              int ldb, float *C, int ldc) {
  gemm512(M, N, K, A, rowStride, kStride, B, ldb, C, ldc, 0);
}
