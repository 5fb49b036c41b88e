// Kernels of the fused Dense-stack trainer: one WebAssembly module, 128-bit SIMD, no libc.
// Matrices are row-major float32. The JS side owns the memory plan (offsets into linear memory)
// and drives a training step with a handful of calls per layer.
// Rebuild: node scripts/build-wasm.mjs (clang --target=wasm32 -msimd128 -O3 -nostdlib).
// The same file builds the native kernels (native/dense-addon.c, scripts/build-native.mjs): there
// the wasm intrinsics map to SSE4.1 and the GEMM is the AVX2 + FMA one of gemm-avx2.h.

#include <stdint.h>

#define INLINE static inline __attribute__((always_inline))

#if defined(__wasm__)
#include <wasm_simd128.h>
#define EXPORT(name) __attribute__((export_name(#name)))
#else
#include "wasm-simd-on-x86.h"
#define EXPORT(name)
#endif

#include "gemm.h"

/** C[M×N] = A[M×K]·B[K×N] (+ C when accumulate). */
EXPORT(gemm_nn)
void gemm_nn(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc,
             int accumulate) {
  gemm(M, N, K, A, lda, 1, B, ldb, C, ldc, accumulate);
}

/** C[M×N] = Aᵀ·B where A is stored K×M (+ C when accumulate). */
EXPORT(gemm_tn)
void gemm_tn(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc,
             int accumulate) {
  gemm(M, N, K, A, 1, lda, B, ldb, C, ldc, accumulate);
}

/** dst[cols×rows] = srcᵀ, src row-major rows×cols. Blocked so both sides stay in cache. */
EXPORT(transpose)
void transpose(int rowCount, int colCount, const float *src, float *dst) {
  const int block = 16;
  for (int i0 = 0; i0 < rowCount; i0 += block)
    for (int j0 = 0; j0 < colCount; j0 += block) {
      int i1 = i0 + block < rowCount ? i0 + block : rowCount;
      int j1 = j0 + block < colCount ? j0 + block : colCount;
      for (int i = i0; i < i1; i++)
        for (int j = j0; j < j1; j++) dst[j * rowCount + i] = src[i * colCount + j];
    }
}

#include "sparse.h"

// ---------------------------------------------------------------------------------------------
// Element-wise math. exp is evaluated as 2^n·e^r with |r| ≤ ln2/2 and a degree-7 Taylor
// polynomial (error below one float32 ulp), so tanh, sigmoid and elu agree with tfjs to rounding.

INLINE v128_t exp4(v128_t x) {
  x = wasm_f32x4_min(wasm_f32x4_max(x, wasm_f32x4_splat(-87.3f)), wasm_f32x4_splat(88.3f));
  v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.0f / 5040.0f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 720.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 120.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 24.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 6.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(0.5f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f));
  v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, scale);
}

INLINE v128_t tanh4(v128_t x) {
  v128_t ax = wasm_f32x4_abs(x);
  // Small |x|: odd Taylor series (no cancellation); large |x|: (1 − e^{−2|x|}) / (1 + e^{−2|x|}).
  v128_t x2 = wasm_f32x4_mul(x, x);
  v128_t p = wasm_f32x4_splat(-1382.0f / 155925.0f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(62.0f / 2835.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(-17.0f / 315.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(2.0f / 15.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(-1.0f / 3.0f));
  v128_t small = wasm_f32x4_add(x, wasm_f32x4_mul(wasm_f32x4_mul(p, x2), x));
  v128_t t = exp4(wasm_f32x4_mul(ax, wasm_f32x4_splat(-2.0f)));
  v128_t large = wasm_f32x4_div(wasm_f32x4_sub(wasm_f32x4_splat(1.0f), t), wasm_f32x4_add(wasm_f32x4_splat(1.0f), t));
  large = wasm_v128_or(large, wasm_v128_and(x, wasm_i32x4_splat((int32_t)0x80000000)));
  return wasm_v128_bitselect(small, large, wasm_f32x4_lt(ax, wasm_f32x4_splat(0.3f)));
}

enum Activation {
  LINEAR = 0,
  RELU = 1,
  RELU6 = 2,
  LEAKY_RELU = 3,
  ELU = 4,
  SELU = 5,
  SIGMOID = 6,
  TANH = 7,
  LECUN_TANH = 8,
};

#define SELU_SCALE 1.0507009873554805f
#define SELU_ALPHA 1.6732632423543772f
#define LECUN_SCALE 1.7159f
#define LECUN_SLOPE 0.01f

INLINE v128_t activate4(int kind, v128_t z, float alpha) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  switch (kind) {
    case RELU:
      return wasm_f32x4_max(z, zero);
    case RELU6:
      return wasm_f32x4_min(wasm_f32x4_max(z, zero), wasm_f32x4_splat(6.0f));
    case LEAKY_RELU:
      return wasm_v128_bitselect(z, wasm_f32x4_mul(z, wasm_f32x4_splat(alpha)), wasm_f32x4_ge(z, zero));
    case ELU: {
      v128_t negative = wasm_f32x4_mul(wasm_f32x4_splat(alpha), wasm_f32x4_sub(exp4(z), wasm_f32x4_splat(1.0f)));
      return wasm_v128_bitselect(z, negative, wasm_f32x4_ge(z, zero));
    }
    case SELU: {
      v128_t negative = wasm_f32x4_mul(wasm_f32x4_splat(SELU_ALPHA), wasm_f32x4_sub(exp4(z), wasm_f32x4_splat(1.0f)));
      return wasm_f32x4_mul(wasm_f32x4_splat(SELU_SCALE), wasm_v128_bitselect(z, negative, wasm_f32x4_gt(z, zero)));
    }
    case SIGMOID:
      return wasm_f32x4_div(wasm_f32x4_splat(1.0f), wasm_f32x4_add(wasm_f32x4_splat(1.0f), exp4(wasm_f32x4_neg(z))));
    case TANH:
      return tanh4(z);
    case LECUN_TANH:
      return wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_splat(LECUN_SCALE), tanh4(wasm_f32x4_mul(z, wasm_f32x4_splat(2.0f / 3.0f)))),
                            wasm_f32x4_mul(wasm_f32x4_splat(LECUN_SLOPE), z));
    default:
      return z;
  }
}

// f'(z) from the pre-activation z and the output a = f(z), with the same conventions at the kinks
// as tfjs's gradients (relu: 0 at 0, relu6: 1 on (0, 6], leaky relu: alpha at 0, elu: 1 at 0).
INLINE v128_t derivative4(int kind, v128_t z, v128_t a, float alpha) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  v128_t one = wasm_f32x4_splat(1.0f);
  switch (kind) {
    case RELU:
      return wasm_v128_and(one, wasm_f32x4_gt(z, zero));
    case RELU6:
      return wasm_v128_and(one, wasm_v128_and(wasm_f32x4_gt(z, zero), wasm_f32x4_le(z, wasm_f32x4_splat(6.0f))));
    case LEAKY_RELU:
      return wasm_v128_bitselect(one, wasm_f32x4_splat(alpha), wasm_f32x4_gt(z, zero));
    case ELU:
      return wasm_v128_bitselect(one, wasm_f32x4_add(a, wasm_f32x4_splat(alpha)), wasm_f32x4_ge(z, zero));
    case SELU:
      return wasm_v128_bitselect(wasm_f32x4_splat(SELU_SCALE), wasm_f32x4_add(a, wasm_f32x4_splat(SELU_SCALE * SELU_ALPHA)),
                                 wasm_f32x4_gt(z, zero));
    case SIGMOID:
      return wasm_f32x4_mul(a, wasm_f32x4_sub(one, a));
    case TANH:
      return wasm_f32x4_sub(one, wasm_f32x4_mul(a, a));
    case LECUN_TANH: {
      v128_t t = wasm_f32x4_div(wasm_f32x4_sub(a, wasm_f32x4_mul(wasm_f32x4_splat(LECUN_SLOPE), z)), wasm_f32x4_splat(LECUN_SCALE));
      return wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_splat(LECUN_SCALE * 2.0f / 3.0f), wasm_f32x4_sub(one, wasm_f32x4_mul(t, t))),
                            wasm_f32x4_splat(LECUN_SLOPE));
    }
    default:
      return one;
  }
}

INLINE float lane0(v128_t v) { return wasm_f32x4_extract_lane(v, 0); }

/** Z[rows×cols] += bias (when given), then A = f(Z). */
EXPORT(bias_activate)
void bias_activate(int rowCount, int colCount, float *Z, const float *bias, float *A, int kind, float alpha) {
  for (int i = 0; i < rowCount; i++) {
    float *z = Z + i * colCount;
    float *a = A + i * colCount;
    int j = 0;
    for (; j + 4 <= colCount; j += 4) {
      v128_t zv = wasm_v128_load(z + j);
      if (bias) zv = wasm_f32x4_add(zv, wasm_v128_load(bias + j));
      wasm_v128_store(z + j, zv);
      wasm_v128_store(a + j, activate4(kind, zv, alpha));
    }
    for (; j < colCount; j++) {
      float zs = z[j] + (bias ? bias[j] : 0.0f);
      z[j] = zs;
      a[j] = lane0(activate4(kind, wasm_f32x4_splat(zs), alpha));
    }
  }
}

/** G *= f'(Z) element-wise (G holds dL/dA on entry, dL/dZ on return). */
EXPORT(activation_backward)
void activation_backward(int count, float *G, const float *Z, const float *A, int kind, float alpha) {
  if (kind == LINEAR) return;
  int i = 0;
  for (; i + 4 <= count; i += 4) {
    v128_t d = derivative4(kind, wasm_v128_load(Z + i), wasm_v128_load(A + i), alpha);
    wasm_v128_store(G + i, wasm_f32x4_mul(wasm_v128_load(G + i), d));
  }
  for (; i < count; i++)
    G[i] *= lane0(derivative4(kind, wasm_f32x4_splat(Z[i]), wasm_f32x4_splat(A[i]), alpha));
}

/** out[cols] = Σ_rows G (the bias gradient). */
EXPORT(column_sums)
void column_sums(int rowCount, int colCount, const float *G, float *out) {
  for (int j = 0; j < colCount; j++) out[j] = 0.0f;
  for (int i = 0; i < rowCount; i++) {
    const float *g = G + i * colCount;
    int j = 0;
    for (; j + 4 <= colCount; j += 4) wasm_v128_store(out + j, wasm_f32x4_add(wasm_v128_load(out + j), wasm_v128_load(g + j)));
    for (; j < colCount; j++) out[j] += g[j];
  }
}

INLINE float expf_(float x) { return lane0(exp4(wasm_f32x4_splat(x))); }

INLINE float logf_(float x) {
  // x > 0, normal: x = m·2^e with m in [√½, √2); log(m) = 2·atanh((m−1)/(m+1)).
  union { float f; int32_t i; } u = {x};
  int32_t e = ((u.i >> 23) & 0xff) - 127;
  u.i = (u.i & 0x007fffff) | 0x3f800000;
  float m = u.f;
  if (m > 1.41421356f) { m *= 0.5f; e += 1; }
  float s = (m - 1.0f) / (m + 1.0f);
  float s2 = s * s;
  float series = 1.0f + s2 * (1.0f / 3.0f + s2 * (1.0f / 5.0f + s2 * (1.0f / 7.0f + s2 * (1.0f / 9.0f))));
  return 2.0f * s * series + (float)e * 0.693147180559945f;
}

/**
 * Softmax output and categorical cross-entropy as tfjs-layers computes them: p = softmax(z),
 * q = clip(p / Σp, ε, 1 − ε), loss = −Σ y·log q averaged over rows. Writes P and G = dLoss/dZ
 * (the clip's gradient is zero outside [ε, 1 − ε], exactly as in tfjs). Returns the summed loss
 * (divide by `scaleRows` for the mean).
 */
EXPORT(softmax_cross_entropy)
double softmax_cross_entropy(int rowCount, int colCount, const float *Z, const float *Y, float *P, float *G,
                             float scaleRows) {
  const float epsilon = 1e-7f;
  const float upper = 1.0f - epsilon;
  double total = 0.0;
  for (int i = 0; i < rowCount; i++) {
    const float *z = Z + i * colCount;
    const float *y = Y + i * colCount;
    float *p = P + i * colCount;
    float *g = G + i * colCount;
    float max = z[0];
    for (int j = 1; j < colCount; j++) max = z[j] > max ? z[j] : max;
    // exp four lanes at a time: the same value per element as one at a time.
    int j4 = 0;
    for (; j4 + 4 <= colCount; j4 += 4)
      wasm_v128_store(p + j4, exp4(wasm_f32x4_sub(wasm_v128_load(z + j4), wasm_f32x4_splat(max))));
    for (; j4 < colCount; j4++) p[j4] = expf_(z[j4] - max);
    float sum = 0.0f;
    for (int j = 0; j < colCount; j++) sum += p[j];
    float inverse = 1.0f / sum;
    for (int j = 0; j < colCount; j++) p[j] *= inverse;
    float norm = 0.0f;
    for (int j = 0; j < colCount; j++) norm += p[j];
    // g_j = dLoss/dq_j, then back through q = p / Σp and the softmax.
    float gq_dot_q = 0.0f;
    for (int j = 0; j < colCount; j++) {
      float q = p[j] / norm;
      float clipped = q < epsilon ? epsilon : (q > upper ? upper : q);
      if (y[j] != 0.0f) total -= (double)y[j] * (double)logf_(clipped);  // else it subtracts 0
      float inside = (q >= epsilon && q <= upper) ? 1.0f : 0.0f;
      g[j] = -y[j] / clipped * inside / scaleRows;
      gq_dot_q += g[j] * q;
    }
    float dp_dot_p = 0.0f;
    for (int j = 0; j < colCount; j++) {
      g[j] = (g[j] - gq_dot_q) / norm;
      dp_dot_p += g[j] * p[j];
    }
    for (int j = 0; j < colCount; j++) g[j] = p[j] * (g[j] - dp_dot_p);
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Optimizer updates, written as tfjs-core 4.22's optimizers compute them.

EXPORT(sgd_update)
void sgd_update(int count, float *W, const float *G, float learningRate) {
  v128_t lr = wasm_f32x4_splat(-learningRate);
  int i = 0;
  for (; i + 4 <= count; i += 4)
    wasm_v128_store(W + i, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(G + i), lr), wasm_v128_load(W + i)));
  for (; i < count; i++) W[i] = G[i] * -learningRate + W[i];
}

EXPORT(momentum_update)
void momentum_update(int count, float *W, const float *G, float *accumulation, float learningRate, float momentum,
                     int nesterov) {
  for (int i = 0; i < count; i++) {
    float next = momentum * accumulation[i] + G[i];
    accumulation[i] = next;
    W[i] = nesterov ? -learningRate * (G[i] + next * momentum) + W[i] : -learningRate * next + W[i];
  }
}

INLINE float sqrtf_(float x) { return __builtin_sqrtf(x); }

EXPORT(adam_update)
void adam_update(int count, float *W, const float *G, float *m, float *v, float learningRate, float beta1,
                 float beta2, float oneMinusBeta1, float oneMinusBeta2, float epsilon, float oneMinusAccBeta1,
                 float oneMinusAccBeta2) {
  v128_t b1 = wasm_f32x4_splat(beta1), b2 = wasm_f32x4_splat(beta2);
  v128_t c1 = wasm_f32x4_splat(oneMinusBeta1), c2 = wasm_f32x4_splat(oneMinusBeta2);
  v128_t d1 = wasm_f32x4_splat(oneMinusAccBeta1), d2 = wasm_f32x4_splat(oneMinusAccBeta2);
  v128_t eps = wasm_f32x4_splat(epsilon), lr = wasm_f32x4_splat(-learningRate);
  int i = 0;
  for (; i + 4 <= count; i += 4) {
    v128_t g = wasm_v128_load(G + i);
    v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b1), wasm_f32x4_mul(g, c1));
    v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), b2), wasm_f32x4_mul(wasm_f32x4_mul(g, g), c2));
    wasm_v128_store(m + i, mi);
    wasm_v128_store(v + i, vi);
    v128_t step = wasm_f32x4_div(wasm_f32x4_div(mi, d1), wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vi, d2)), eps));
    wasm_v128_store(W + i, wasm_f32x4_add(wasm_f32x4_mul(step, lr), wasm_v128_load(W + i)));
  }
  for (; i < count; i++) {
    float g = G[i];
    float mi = m[i] * beta1 + g * oneMinusBeta1;
    float vi = v[i] * beta2 + g * g * oneMinusBeta2;
    m[i] = mi;
    v[i] = vi;
    W[i] = (mi / oneMinusAccBeta1) / (sqrtf_(vi / oneMinusAccBeta2) + epsilon) * -learningRate + W[i];
  }
}

EXPORT(adagrad_update)
void adagrad_update(int count, float *W, const float *G, float *accumulation, float learningRate, float epsilon) {
  for (int i = 0; i < count; i++) {
    float next = accumulation[i] + G[i] * G[i];
    accumulation[i] = next;
    W[i] = G[i] / sqrtf_(next + epsilon) * -learningRate + W[i];
  }
}

EXPORT(adadelta_update)
void adadelta_update(int count, float *W, const float *G, float *accumulatedGrad, float *accumulatedUpdate,
                     float learningRate, float rho, float oneMinusRho, float epsilon) {
  for (int i = 0; i < count; i++) {
    float g = G[i];
    // tfjs divides by the accumulator as it was before this step.
    float update = sqrtf_(accumulatedUpdate[i] + epsilon) / sqrtf_(accumulatedGrad[i] + epsilon) * g;
    accumulatedGrad[i] = accumulatedGrad[i] * rho + g * g * oneMinusRho;
    accumulatedUpdate[i] = accumulatedUpdate[i] * rho + update * update * oneMinusRho;
    W[i] = update * -learningRate + W[i];
  }
}

EXPORT(rmsprop_update)
void rmsprop_update(int count, float *W, const float *G, float *meanSquare, float *moment, float learningRate,
                    float decay, float oneMinusDecay, float momentum, float epsilon) {
  for (int i = 0; i < count; i++) {
    float g = G[i];
    float ms = meanSquare[i] * decay + g * g * oneMinusDecay;
    float mo = moment[i] * momentum + g * learningRate / sqrtf_(ms + epsilon);
    meanSquare[i] = ms;
    moment[i] = mo;
    W[i] = W[i] - mo;
  }
}
