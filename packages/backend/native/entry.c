// Entry point of the native kernels: checks that the CPU runs AVX2 and FMA before anything
// compiled for them executes, and whether it runs AVX-512F (the kernels of native/avx512.c).
// This file alone is built without -mavx2 (scripts/build-native.mjs), so a CPU without them gets
// a JavaScript error to fall back on instead of SIGILL. __builtin_cpu_supports checks that the
// operating system saves the registers too (XGETBV), not only the CPUID bits.
#define NAPI_VERSION 8
#include <node_api.h>

napi_value actlab_register_kernels(napi_env env, napi_value exports, int avx512);
napi_value actlab_register_conv_kernels(napi_env env, napi_value exports, int avx512);

NAPI_MODULE_INIT() {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    napi_throw_error(env, "CPU_FEATURES", "this CPU lacks AVX2 or FMA, which the native kernels need");
    return NULL;
  }
  int avx512 = __builtin_cpu_supports("avx512f");
  return actlab_register_conv_kernels(env, actlab_register_kernels(env, exports, avx512), avx512);
}
