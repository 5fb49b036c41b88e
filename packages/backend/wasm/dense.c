// Kernels of the fused Dense-stack trainer: one WebAssembly module, 128-bit SIMD, no libc.
// Matrices are row-major float32. The JS side owns the memory plan (offsets into linear memory)
// and drives a training step with a handful of calls per layer.
// Rebuild: node scripts/build-wasm.mjs (clang --target=wasm32 -msimd128 -O3 -nostdlib).
// The same file builds the native kernels (native/dense-addon.c, scripts/build-native.mjs): there
// the wasm intrinsics map to SSE4.1, the element-wise vectors of vec.h are AVX2's 8 lanes and the
// GEMM is the AVX2 + FMA one of gemm-avx2.h (or the AVX-512 one of gemm-avx512.h, chosen at run
// time by the addon).

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
// Element-wise math, on the vectors of vec.h (4 lanes in WebAssembly, 8 in the native build;
// the same value per element either way). exp is evaluated as 2^n·e^r with |r| ≤ ln2/2 and a
// degree-7 Taylor polynomial (error below one float32 ulp), so tanh, sigmoid and elu agree with
// tfjs to rounding.

#include "vec.h"

INLINE vf vexp(vf x) {
  x = vf_min(vf_max(x, vf_splat(-87.3f)), vf_splat(88.3f));
  vf n = vf_nearest(vf_mul(x, vf_splat(1.44269504088896341f)));
  vf r = vf_sub(x, vf_mul(n, vf_splat(0.693359375f)));
  r = vf_sub(r, vf_mul(n, vf_splat(-2.12194440e-4f)));
  vf p = vf_splat(1.0f / 5040.0f);
  p = vf_add(vf_mul(p, r), vf_splat(1.0f / 720.0f));
  p = vf_add(vf_mul(p, r), vf_splat(1.0f / 120.0f));
  p = vf_add(vf_mul(p, r), vf_splat(1.0f / 24.0f));
  p = vf_add(vf_mul(p, r), vf_splat(1.0f / 6.0f));
  p = vf_add(vf_mul(p, r), vf_splat(0.5f));
  p = vf_add(vf_mul(p, r), vf_splat(1.0f));
  p = vf_add(vf_mul(p, r), vf_splat(1.0f));
  return vf_mul(p, vf_pow2i(n));
}

INLINE vf vtanh(vf x) {
  vf ax = vf_abs(x);
  // Small |x|: odd Taylor series (no cancellation); large |x|: (1 − e^{−2|x|}) / (1 + e^{−2|x|}).
  vf x2 = vf_mul(x, x);
  vf p = vf_splat(-1382.0f / 155925.0f);
  p = vf_add(vf_mul(p, x2), vf_splat(62.0f / 2835.0f));
  p = vf_add(vf_mul(p, x2), vf_splat(-17.0f / 315.0f));
  p = vf_add(vf_mul(p, x2), vf_splat(2.0f / 15.0f));
  p = vf_add(vf_mul(p, x2), vf_splat(-1.0f / 3.0f));
  vf small = vf_add(x, vf_mul(vf_mul(p, x2), x));
  vf t = vexp(vf_mul(ax, vf_splat(-2.0f)));
  vf large = vf_div(vf_sub(vf_splat(1.0f), t), vf_add(vf_splat(1.0f), t));
  large = vf_or(large, vf_and(x, vf_bits((int32_t)0x80000000)));
  return vf_bitselect(small, large, vf_lt(ax, vf_splat(0.3f)));
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

INLINE vf activate(int kind, vf z, float alpha) {
  vf zero = vf_splat(0.0f);
  switch (kind) {
    case RELU:
      return vf_max(z, zero);
    case RELU6:
      return vf_min(vf_max(z, zero), vf_splat(6.0f));
    case LEAKY_RELU:
      return vf_bitselect(z, vf_mul(z, vf_splat(alpha)), vf_ge(z, zero));
    case ELU: {
      vf negative = vf_mul(vf_splat(alpha), vf_sub(vexp(z), vf_splat(1.0f)));
      return vf_bitselect(z, negative, vf_ge(z, zero));
    }
    case SELU: {
      vf negative = vf_mul(vf_splat(SELU_ALPHA), vf_sub(vexp(z), vf_splat(1.0f)));
      return vf_mul(vf_splat(SELU_SCALE), vf_bitselect(z, negative, vf_gt(z, zero)));
    }
    case SIGMOID:
      return vf_div(vf_splat(1.0f), vf_add(vf_splat(1.0f), vexp(vf_neg(z))));
    case TANH:
      return vtanh(z);
    case LECUN_TANH:
      return vf_add(vf_mul(vf_splat(LECUN_SCALE), vtanh(vf_mul(z, vf_splat(2.0f / 3.0f)))),
                            vf_mul(vf_splat(LECUN_SLOPE), z));
    default:
      return z;
  }
}

// f'(z) from the pre-activation z and the output a = f(z), with the same conventions at the kinks
// as tfjs's gradients (relu: 0 at 0, relu6: 1 on (0, 6], leaky relu: alpha at 0, elu: 1 at 0).
INLINE vf derivative(int kind, vf z, vf a, float alpha) {
  vf zero = vf_splat(0.0f);
  vf one = vf_splat(1.0f);
  switch (kind) {
    case RELU:
      return vf_and(one, vf_gt(z, zero));
    case RELU6:
      return vf_and(one, vf_and(vf_gt(z, zero), vf_le(z, vf_splat(6.0f))));
    case LEAKY_RELU:
      return vf_bitselect(one, vf_splat(alpha), vf_gt(z, zero));
    case ELU:
      return vf_bitselect(one, vf_add(a, vf_splat(alpha)), vf_ge(z, zero));
    case SELU:
      return vf_bitselect(vf_splat(SELU_SCALE), vf_add(a, vf_splat(SELU_SCALE * SELU_ALPHA)),
                                 vf_gt(z, zero));
    case SIGMOID:
      return vf_mul(a, vf_sub(one, a));
    case TANH:
      return vf_sub(one, vf_mul(a, a));
    case LECUN_TANH: {
      vf t = vf_div(vf_sub(a, vf_mul(vf_splat(LECUN_SLOPE), z)), vf_splat(LECUN_SCALE));
      return vf_add(vf_mul(vf_splat(LECUN_SCALE * 2.0f / 3.0f), vf_sub(one, vf_mul(t, t))),
                            vf_splat(LECUN_SLOPE));
    }
    default:
      return one;
  }
}

#define lane0 vf_lane0

/** Z[rows×cols] += bias (when given), then A = f(Z). */
EXPORT(bias_activate)
void bias_activate(int rowCount, int colCount, float *Z, const float *bias, float *A, int kind, float alpha) {
  for (int i = 0; i < rowCount; i++) {
    float *z = Z + i * colCount;
    float *a = A + i * colCount;
    int j = 0;
    for (; j + VF_LANES <= colCount; j += VF_LANES) {
      vf zv = vf_load(z + j);
      if (bias) zv = vf_add(zv, vf_load(bias + j));
      vf_store(z + j, zv);
      vf_store(a + j, activate(kind, zv, alpha));
    }
    for (; j < colCount; j++) {
      float zs = z[j] + (bias ? bias[j] : 0.0f);
      z[j] = zs;
      a[j] = lane0(activate(kind, vf_splat(zs), alpha));
    }
  }
}

/** G *= f'(Z) element-wise (G holds dL/dA on entry, dL/dZ on return). */
EXPORT(activation_backward)
void activation_backward(int count, float *G, const float *Z, const float *A, int kind, float alpha) {
  if (kind == LINEAR) return;
  int i = 0;
  for (; i + VF_LANES <= count; i += VF_LANES) {
    vf d = derivative(kind, vf_load(Z + i), vf_load(A + i), alpha);
    vf_store(G + i, vf_mul(vf_load(G + i), d));
  }
  for (; i < count; i++)
    G[i] *= lane0(derivative(kind, vf_splat(Z[i]), vf_splat(A[i]), alpha));
}

/** out[cols] = Σ_rows G (the bias gradient). */
EXPORT(column_sums)
void column_sums(int rowCount, int colCount, const float *G, float *out) {
  for (int j = 0; j < colCount; j++) out[j] = 0.0f;
  for (int i = 0; i < rowCount; i++) {
    const float *g = G + i * colCount;
    int j = 0;
    for (; j + VF_LANES <= colCount; j += VF_LANES) vf_store(out + j, vf_add(vf_load(out + j), vf_load(g + j)));
    for (; j < colCount; j++) out[j] += g[j];
  }
}

INLINE float expf_(float x) { return lane0(vexp(vf_splat(x))); }

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
    // exp a vector at a time: the same value per element as one at a time.
    int j4 = 0;
    for (; j4 + VF_LANES <= colCount; j4 += VF_LANES)
      vf_store(p + j4, vexp(vf_sub(vf_load(z + j4), vf_splat(max))));
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
  vf lr = vf_splat(-learningRate);
  int i = 0;
  for (; i + VF_LANES <= count; i += VF_LANES)
    vf_store(W + i, vf_add(vf_mul(vf_load(G + i), lr), vf_load(W + i)));
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
  vf b1 = vf_splat(beta1), b2 = vf_splat(beta2);
  vf c1 = vf_splat(oneMinusBeta1), c2 = vf_splat(oneMinusBeta2);
  vf d1 = vf_splat(oneMinusAccBeta1), d2 = vf_splat(oneMinusAccBeta2);
  vf eps = vf_splat(epsilon), lr = vf_splat(-learningRate);
  int i = 0;
  for (; i + VF_LANES <= count; i += VF_LANES) {
    vf g = vf_load(G + i);
    vf mi = vf_add(vf_mul(vf_load(m + i), b1), vf_mul(g, c1));
    vf vi = vf_add(vf_mul(vf_load(v + i), b2), vf_mul(vf_mul(g, g), c2));
    vf_store(m + i, mi);
    vf_store(v + i, vi);
    vf step = vf_div(vf_div(mi, d1), vf_add(vf_sqrt(vf_div(vi, d2)), eps));
    vf_store(W + i, vf_add(vf_mul(step, lr), vf_load(W + i)));
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
