// Convolution kernels for tfjs-wasm training: Conv2D forward and both gradients as im2col onto the
// SIMD GEMM of gemm.h, the two depthwise gradients and MaxPool's as direct loops; normalize.h
// adds BatchNorm's and the activations' kernels. NHWC float32; filters are
// tfjs's [filterHeight, filterWidth, inChannels, outChannels], i.e. a row-major K×outChannels
// matrix with K = filterHeight·filterWidth·inChannels. Output pixels are processed in blocks of
// rows so that the im2col block stays in L2 instead of materializing the whole patch matrix.
// Rebuild: node scripts/build-wasm.mjs (clang --target=wasm32 -msimd128 -O3 -nostdlib).
// The native kernels compile this same file once per instruction set (native/conv-avx2.c,
// native/conv-avx512.c): they define EXPORT (no wasm export there) and CONV_GEMM (the GEMM of
// that instruction set) before including it.

#include <stdint.h>

#ifndef EXPORT
#define EXPORT(name) __attribute__((export_name(#name)))
#endif
#define INLINE static inline __attribute__((always_inline))

#include "gemm.h"

#ifndef CONV_GEMM
#define CONV_GEMM gemm
#endif

/** The geometry of one convolution, filled by the JS side (field order is the ABI). */
typedef struct {
  int batch, inHeight, inWidth, inChannels;
  int outHeight, outWidth, outChannels;
  int filterHeight, filterWidth;
  int strideHeight, strideWidth, dilationHeight, dilationWidth;
  int padTop, padLeft;
  int blockRows; // output pixels per im2col block
} Conv;

INLINE void zero(float *p, int count) {
  int i = 0;
  for (; i + 4 <= count; i += 4) wasm_v128_store(p + i, wasm_f32x4_splat(0.0f));
  for (; i < count; i++) p[i] = 0.0f;
}

INLINE void copy(float *dst, const float *src, int count) {
  int i = 0;
  for (; i + 4 <= count; i += 4) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  for (; i < count; i++) dst[i] = src[i];
}

INLINE void add(float *dst, const float *src, int count) {
  int i = 0;
  for (; i + 4 <= count; i += 4)
    wasm_v128_store(dst + i, wasm_f32x4_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < count; i++) dst[i] += src[i];
}

// cols[r][(i·fw + j)·C + c] = x[b, oh·sh − pt + i·dh, ow·sw − pl + j·dw, c] (0 outside), for the
// output pixels first … first + count − 1 (flattened over batch, outHeight, outWidth).
static void im2col(const Conv *s, const float *x, int first, int count, float *cols) {
  const int C = s->inChannels, K = s->filterHeight * s->filterWidth * C;
  const int pixels = s->outHeight * s->outWidth;
  for (int r = 0; r < count; r++) {
    int p = first + r, b = p / pixels, q = p % pixels, oh = q / s->outWidth, ow = q % s->outWidth;
    float *row = cols + r * K;
    for (int i = 0; i < s->filterHeight; i++) {
      int ih = oh * s->strideHeight - s->padTop + i * s->dilationHeight;
      float *dst = row + i * s->filterWidth * C;
      if (ih < 0 || ih >= s->inHeight) {
        zero(dst, s->filterWidth * C);
        continue;
      }
      const float *line = x + ((b * s->inHeight + ih) * s->inWidth) * C;
      int iw0 = ow * s->strideWidth - s->padLeft;
      if (s->dilationWidth == 1 && iw0 >= 0 && iw0 + s->filterWidth <= s->inWidth) {
        copy(dst, line + iw0 * C, s->filterWidth * C); // the common case: one contiguous run
        continue;
      }
      for (int j = 0; j < s->filterWidth; j++) {
        int iw = iw0 + j * s->dilationWidth;
        if (iw < 0 || iw >= s->inWidth) zero(dst + j * C, C);
        else copy(dst + j * C, line + iw * C, C);
      }
    }
  }
}

// The adjoint of im2col: dx[b, ih, iw, c] += cols[r][(i·fw + j)·C + c].
static void col2im(const Conv *s, const float *cols, int first, int count, float *dx) {
  const int C = s->inChannels, K = s->filterHeight * s->filterWidth * C;
  const int pixels = s->outHeight * s->outWidth;
  for (int r = 0; r < count; r++) {
    int p = first + r, b = p / pixels, q = p % pixels, oh = q / s->outWidth, ow = q % s->outWidth;
    const float *row = cols + r * K;
    for (int i = 0; i < s->filterHeight; i++) {
      int ih = oh * s->strideHeight - s->padTop + i * s->dilationHeight;
      if (ih < 0 || ih >= s->inHeight) continue;
      float *line = dx + ((b * s->inHeight + ih) * s->inWidth) * C;
      const float *src = row + i * s->filterWidth * C;
      int iw0 = ow * s->strideWidth - s->padLeft;
      if (s->dilationWidth == 1 && iw0 >= 0 && iw0 + s->filterWidth <= s->inWidth) {
        add(line + iw0 * C, src, s->filterWidth * C);
        continue;
      }
      for (int j = 0; j < s->filterWidth; j++) {
        int iw = iw0 + j * s->dilationWidth;
        if (iw >= 0 && iw < s->inWidth) add(line + iw * C, src + j * C, C);
      }
    }
  }
}

INLINE int rowCount(const Conv *s) { return s->batch * s->outHeight * s->outWidth; }

/** y[rows × outC] = im2col(x) · filter. `cols` holds blockRows × K floats. */
EXPORT(conv2d_forward)
void conv2d_forward(const Conv *s, const float *x, const float *filter, float *y, float *cols) {
  const int K = s->filterHeight * s->filterWidth * s->inChannels, N = s->outChannels;
  const int rows = rowCount(s);
  for (int first = 0; first < rows; first += s->blockRows) {
    int count = rows - first < s->blockRows ? rows - first : s->blockRows;
    im2col(s, x, first, count, cols);
    CONV_GEMM(count, N, K, cols, K, 1, filter, N, y + first * N, N, 0);
  }
}

// FusedConv2D's activations: 0 linear, 1 relu, 2 relu6, 3 leaky relu (the codes kernel-plans.ts
// sends; tfjs's other activations go to the stock kernel).
INLINE void bias_activate_block(float *y, int count, int N, const float *bias, int activation,
                                float alpha) {
  v128_t zero4 = wasm_f32x4_splat(0.0f), six = wasm_f32x4_splat(6.0f), a4 = wasm_f32x4_splat(alpha);
  for (int r = 0; r < count; r++) {
    float *row = y + r * N;
    int n = 0;
    for (; n + 4 <= N; n += 4) {
      v128_t v = wasm_v128_load(row + n);
      if (bias) v = wasm_f32x4_add(v, wasm_v128_load(bias + n));
      if (activation == 1) v = wasm_f32x4_max(v, zero4);
      else if (activation == 2) v = wasm_f32x4_min(wasm_f32x4_max(v, zero4), six);
      else if (activation == 3) v = wasm_v128_bitselect(v, wasm_f32x4_mul(v, a4), wasm_f32x4_ge(v, zero4));
      wasm_v128_store(row + n, v);
    }
    for (; n < N; n++) {
      float v = row[n] + (bias ? bias[n] : 0.0f);
      if (activation == 1) v = v > 0.0f ? v : 0.0f;
      else if (activation == 2) v = v > 0.0f ? (v < 6.0f ? v : 6.0f) : 0.0f;
      else if (activation == 3) v = v >= 0.0f ? v : v * alpha;
      row[n] = v;
    }
  }
}

/** FusedConv2D: y = activation(im2col(x) · filter + bias), block by block while y is in cache. */
EXPORT(conv2d_forward_fused)
void conv2d_forward_fused(const Conv *s, const float *x, const float *filter, const float *bias,
                          float *y, float *cols, int hasBias, int activation, float alpha) {
  const int K = s->filterHeight * s->filterWidth * s->inChannels, N = s->outChannels;
  const int rows = rowCount(s);
  for (int first = 0; first < rows; first += s->blockRows) {
    int count = rows - first < s->blockRows ? rows - first : s->blockRows;
    im2col(s, x, first, count, cols);
    CONV_GEMM(count, N, K, cols, K, 1, filter, N, y + first * N, N, 0);
    bias_activate_block(y + first * N, count, N, hasBias ? bias : 0, activation, alpha);
  }
}

/** dFilter[K × outC] = Σ over row blocks of im2col(x)ᵀ · dy. */
EXPORT(conv2d_backprop_filter)
void conv2d_backprop_filter(const Conv *s, const float *x, const float *dy, float *dFilter,
                            float *cols) {
  const int K = s->filterHeight * s->filterWidth * s->inChannels, N = s->outChannels;
  const int rows = rowCount(s);
  zero(dFilter, K * N);
  for (int first = 0; first < rows; first += s->blockRows) {
    int count = rows - first < s->blockRows ? rows - first : s->blockRows;
    im2col(s, x, first, count, cols);
    CONV_GEMM(K, N, count, cols, 1, K, dy + first * N, N, dFilter, N, 1);
  }
}

/**
 * dx = col2im(dy · filterᵀ). `filterT` receives filterᵀ (outC × K); `cols` holds blockRows × K
 * floats.
 */
EXPORT(conv2d_backprop_input)
void conv2d_backprop_input(const Conv *s, const float *dy, const float *filter, float *dx,
                           float *filterT, float *cols) {
  const int K = s->filterHeight * s->filterWidth * s->inChannels, N = s->outChannels;
  const int rows = rowCount(s);
  for (int k = 0; k < K; k++)
    for (int n = 0; n < N; n++) filterT[n * K + k] = filter[k * N + n];
  zero(dx, s->batch * s->inHeight * s->inWidth * s->inChannels);
  for (int first = 0; first < rows; first += s->blockRows) {
    int count = rows - first < s->blockRows ? rows - first : s->blockRows;
    CONV_GEMM(count, K, N, dy + first * N, N, 1, filterT, K, cols, K, 0);
    col2im(s, cols, first, count, dx);
  }
}

// Depthwise: output channel c·m + q reads input channel c with filter[i, j, c, q]; outChannels =
// inChannels·m. Both gradients visit every (output pixel, filter tap) pair inside the input; for
// each, the channel loop is contiguous in x, dy and the filter. `toInput` (a constant at each
// call, so the branch folds away) picks which gradient is accumulated:
//   dx[b, ih, iw, c]    += Σ_q dy[b, oh, ow, c·m + q] · filter[i, j, c, q]
//   dFilter[i, j, c, q] += x[b, ih, iw, c] · dy[b, oh, ow, c·m + q]
INLINE void depthwise_gradient(const Conv *s, const float *x, const float *dy, const float *filter,
                               float *out, int toInput) {
  const int C = s->inChannels, M = s->outChannels / C;
  zero(out, toInput ? s->batch * s->inHeight * s->inWidth * C : s->filterHeight * s->filterWidth * C * M);
  for (int b = 0; b < s->batch; b++)
    for (int oh = 0; oh < s->outHeight; oh++)
      for (int ow = 0; ow < s->outWidth; ow++) {
        const float *g = dy + ((b * s->outHeight + oh) * s->outWidth + ow) * C * M;
        for (int i = 0; i < s->filterHeight; i++) {
          int ih = oh * s->strideHeight - s->padTop + i * s->dilationHeight;
          if (ih < 0 || ih >= s->inHeight) continue;
          for (int j = 0; j < s->filterWidth; j++) {
            int iw = ow * s->strideWidth - s->padLeft + j * s->dilationWidth;
            if (iw < 0 || iw >= s->inWidth) continue;
            int pixel = ((b * s->inHeight + ih) * s->inWidth + iw) * C;
            int tap = (i * s->filterWidth + j) * C * M;
            // Σ_q a[c·m + q]·g[c·m + q] into d[c] (input) or a[c]·g[c·m + q] into d[c·m + q].
            float *d = toInput ? out + pixel : out + tap;
            const float *a = toInput ? filter + tap : x + pixel;
            if (M == 1) {
              int c = 0;
              for (; c + 4 <= C; c += 4)
                wasm_v128_store(d + c, wasm_f32x4_add(wasm_v128_load(d + c),
                                                      wasm_f32x4_mul(wasm_v128_load(a + c),
                                                                     wasm_v128_load(g + c))));
              for (; c < C; c++) d[c] += a[c] * g[c];
            } else if (toInput) {
              for (int c = 0; c < C; c++) {
                float sum = 0.0f;
                for (int q = 0; q < M; q++) sum += g[c * M + q] * a[c * M + q];
                d[c] += sum;
              }
            } else {
              for (int c = 0; c < C; c++)
                for (int q = 0; q < M; q++) d[c * M + q] += a[c] * g[c * M + q];
            }
          }
        }
      }
}

/** dx of a depthwise convolution (see depthwise_gradient). */
EXPORT(depthwise_backprop_input)
void depthwise_backprop_input(const Conv *s, const float *dy, const float *filter, float *dx) {
  depthwise_gradient(s, 0, dy, filter, dx, 1);
}

/** dFilter of a depthwise convolution (see depthwise_gradient). */
EXPORT(depthwise_backprop_filter)
void depthwise_backprop_filter(const Conv *s, const float *x, const float *dy, float *dFilter) {
  depthwise_gradient(s, x, dy, 0, dFilter, 0);
}

/**
 * MaxPool's gradient: each dy goes to the first largest input of its window (the cpu backend's
 * rule; tfjs-wasm 4.22's own MaxPoolGrad gives wrong results). Uses the `Conv` header with
 * outChannels = inChannels and the pool window as the filter.
 */
EXPORT(maxpool_backprop)
void maxpool_backprop(const Conv *s, const float *dy, const float *x, float *dx) {
  const int C = s->inChannels;
  zero(dx, s->batch * s->inHeight * s->inWidth * C);
  for (int b = 0; b < s->batch; b++)
    for (int oh = 0; oh < s->outHeight; oh++)
      for (int ow = 0; ow < s->outWidth; ow++) {
        const float *g = dy + ((b * s->outHeight + oh) * s->outWidth + ow) * C;
        // Four channels at a time: the running maximum and where it was, per lane.
        for (int c = 0; c < C; c += 4) {
          int lanes = C - c < 4 ? C - c : 4;
          v128_t best = wasm_f32x4_splat(-__builtin_inff());
          v128_t where = wasm_i32x4_splat(-1);
          for (int i = 0; i < s->filterHeight; i++) {
            int ih = oh * s->strideHeight - s->padTop + i * s->dilationHeight;
            if (ih < 0 || ih >= s->inHeight) continue;
            for (int j = 0; j < s->filterWidth; j++) {
              int iw = ow * s->strideWidth - s->padLeft + j * s->dilationWidth;
              if (iw < 0 || iw >= s->inWidth) continue;
              int at = ((b * s->inHeight + ih) * s->inWidth + iw) * C + c;
              v128_t v;
              if (lanes == 4) {
                v = wasm_v128_load(x + at);
              } else {
                float tail[4] = {-__builtin_inff(), -__builtin_inff(), -__builtin_inff(), -__builtin_inff()};
                for (int l = 0; l < lanes; l++) tail[l] = x[at + l];
                v = wasm_v128_load(tail);
              }
              v128_t larger = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, larger);
              v128_t index = wasm_i32x4_add(wasm_i32x4_splat(at), wasm_i32x4_make(0, 1, 2, 3));
              where = wasm_v128_bitselect(index, where, larger);
            }
          }
          int at[4];
          wasm_v128_store(at, where);
          for (int l = 0; l < lanes; l++)
            if (at[l] >= 0) dx[at[l]] += g[c + l];
        }
      }
}

#include "normalize.h"
