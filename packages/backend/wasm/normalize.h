// The kernels of a CNN training step around its convolutions, included by conv.c: BatchNorm's
// forward pass and gradient, its statistics (Sum / Mean over every axis but the last, Tile, and
// Mean's gradient), and LeakyRelu with its gradient (Relu's too). tfjs-wasm builds these from
// many elementwise ops over the whole activation, or runs them one value at a time.
#ifndef ACTLAB_NORMALIZE_H
#define ACTLAB_NORMALIZE_H

// BatchNorm's gradient tiles per-channel vectors to the full activation and sums them back.

typedef struct {
  int rank;
  int shape[6];
  int reps[6];
} Tile;

static void tile_block(const Tile *t, int d, const float *x, float *out, const int *inInner,
                       const int *outInner) {
  int n = t->shape[d];
  if (d == t->rank - 1) {
    copy(out, x, n);
  } else {
    for (int i = 0; i < n; i++)
      tile_block(t, d + 1, x + i * inInner[d], out + i * outInner[d], inInner, outInner);
  }
  int block = n * (d == t->rank - 1 ? 1 : outInner[d]);
  for (int r = 1; r < t->reps[d]; r++) copy(out + r * block, out, block);
}

/** out = x repeated reps[d] times along each axis d (tf.tile), rank ≤ 6. */
EXPORT(tile_repeat)
void tile_repeat(const Tile *t, const float *x, float *out) {
  int inInner[6], outInner[6];
  int in = 1, o = 1;
  for (int d = t->rank - 1; d >= 0; d--) {
    inInner[d] = in;
    outInner[d] = o;
    in *= t->shape[d];
    o *= t->shape[d] * t->reps[d];
  }
  tile_block(t, 0, x, out, inInner, outInner);
}

typedef struct {
  int rows, cols;
} Columns;

/** out[c] = scale · Σ_r x[r][c]: Sum (scale 1) or Mean (1 / rows) over every axis but the last. */
EXPORT(column_reduce)
void column_reduce(const Columns *s, const float *x, float *out, float scale) {
  zero(out, s->cols);
  for (int r = 0; r < s->rows; r++) add(out, x + r * s->cols, s->cols);
  if (scale == 1.0f) return;
  int c = 0;
  v128_t factor = wasm_f32x4_splat(scale);
  for (; c + 4 <= s->cols; c += 4) wasm_v128_store(out + c, wasm_f32x4_mul(wasm_v128_load(out + c), factor));
  for (; c < s->cols; c++) out[c] *= scale;
}

// Activation gradients in one pass each (tfjs's take 3 elementwise ops over the activation).

typedef struct {
  int count;
} Elements;

/**
 * dx = dy where x > 0, else dy·alpha: LeakyRelu's gradient (tfjs: where(x > 0, dy, dy·alpha)),
 * and Relu's with alpha = 0 (tfjs: dy·step(x), which is dy·0 = ±0 where x ≤ 0).
 */
EXPORT(leaky_relu_backprop)
void leaky_relu_backprop(const Elements *s, const float *dy, const float *x, float *dx, float alpha) {
  v128_t zero4 = wasm_f32x4_splat(0.0f), a4 = wasm_f32x4_splat(alpha);
  int i = 0;
  for (; i + 4 <= s->count; i += 4) {
    v128_t g = wasm_v128_load(dy + i);
    v128_t positive = wasm_f32x4_gt(wasm_v128_load(x + i), zero4);
    wasm_v128_store(dx + i, wasm_v128_bitselect(g, wasm_f32x4_mul(g, a4), positive));
  }
  for (; i < s->count; i++) dx[i] = x[i] > 0.0f ? dy[i] : dy[i] * alpha;
}

typedef struct {
  int rows, channels;
} BatchNormGrad;

/**
 * FusedBatchNorm's gradients with one value of mean, variance and scale per channel (the last
 * axis), as tfjs's gradient defines them, with r = 1/√(variance + ε):
 *   dx = dy·r·scale,  dMean = Σ −r·(dy·scale),  dVariance = Σ −½r³·(x − mean)·(dy·scale),
 *   dScale = Σ dy·(x − mean)·r,  dOffset = Σ dy  (sums over every row).
 * `sums` holds 4·channels floats: Σ dy and Σ dy·(x − mean) (one pass over x and dy), then r and
 * scale; dx is the second pass, as tfjs rounds it: (dy·r)·scale. out = dx, then dMean, dVariance,
 * dScale, dOffset (channels floats each).
 */
EXPORT(batchnorm_backprop)
void batchnorm_backprop(const BatchNormGrad *s, const float *x, const float *mean, const float *variance,
                        const float *scale, const float *dy, float *dx, float *dMean, float *dVariance,
                        float *dScale, float *dOffset, float *sums, float epsilon) {
  const int C = s->channels;
  float *sumDy = sums, *sumDyXm = sums + C, *rs = sums + 2 * C, *scales = sums + 3 * C;
  zero(sums, 2 * C);
  for (int r = 0; r < s->rows; r++) {
    const float *xr = x + r * C, *g = dy + r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      v128_t gv = wasm_v128_load(g + c);
      v128_t xm = wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(mean + c));
      wasm_v128_store(sumDy + c, wasm_f32x4_add(wasm_v128_load(sumDy + c), gv));
      wasm_v128_store(sumDyXm + c, wasm_f32x4_add(wasm_v128_load(sumDyXm + c), wasm_f32x4_mul(gv, xm)));
    }
    for (; c < C; c++) {
      sumDy[c] += g[c];
      sumDyXm[c] += g[c] * (xr[c] - mean[c]);
    }
  }
  for (int c = 0; c < C; c++) {
    float r = 1.0f / __builtin_sqrtf(variance[c] + epsilon);
    float sc = scale[c];
    rs[c] = r;
    scales[c] = sc;
    dMean[c] = -r * sc * sumDy[c];
    dVariance[c] = -0.5f * r * r * r * sc * sumDyXm[c];
    dScale[c] = r * sumDyXm[c];
    dOffset[c] = sumDy[c];
  }
  for (int r = 0; r < s->rows; r++) {
    const float *g = dy + r * C;
    float *d = dx + r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4)
      wasm_v128_store(d + c, wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(g + c), wasm_v128_load(rs + c)),
                                            wasm_v128_load(scales + c)));
    for (; c < C; c++) d[c] = g[c] * rs[c] * scales[c];
  }
}

/** out = x where x ≥ 0, else x·alpha: LeakyRelu (tfjs: x < 0 ? alpha·x : x). */
EXPORT(leaky_relu)
void leaky_relu(const Elements *s, const float *x, float *out, float alpha) {
  v128_t zero4 = wasm_f32x4_splat(0.0f), a4 = wasm_f32x4_splat(alpha);
  int i = 0;
  for (; i + 4 <= s->count; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    wasm_v128_store(out + i, wasm_v128_bitselect(wasm_f32x4_mul(v, a4), v, wasm_f32x4_lt(v, zero4)));
  }
  for (; i < s->count; i++) out[i] = x[i] < 0.0f ? x[i] * alpha : x[i];
}

/** out[r][c] = v[c] / divisor: Mean's gradient over every axis but the last (tfjs: dy·1 / n). */
EXPORT(broadcast_rows)
void broadcast_rows(const Columns *s, const float *v, float *out, float divisor) {
  v128_t d4 = wasm_f32x4_splat(divisor);
  for (int r = 0; r < s->rows; r++) {
    float *row = out + r * s->cols;
    int c = 0;
    for (; c + 4 <= s->cols; c += 4) wasm_v128_store(row + c, wasm_f32x4_div(wasm_v128_load(v + c), d4));
    for (; c < s->cols; c++) row[c] = v[c] / divisor;
  }
}

typedef struct {
  int rows, channels, hasOffset, hasScale;
} BatchNorm;

/**
 * FusedBatchNorm with one mean, variance, offset and scale per channel (the last axis):
 * out = offset + (x − mean)·k with k = scale / √(variance + ε), per channel. `factors` holds
 * 2·channels floats (k, then the offsets).
 */
EXPORT(batchnorm_forward)
void batchnorm_forward(const BatchNorm *s, const float *x, const float *mean, const float *variance,
                       const float *offset, const float *scale, float *out, float *factors, float epsilon) {
  const int C = s->channels;
  float *k = factors, *b = factors + C;
  for (int c = 0; c < C; c++) {
    k[c] = (s->hasScale ? scale[c] : 1.0f) / __builtin_sqrtf(variance[c] + epsilon);
    b[c] = s->hasOffset ? offset[c] : 0.0f;
  }
  for (int r = 0; r < s->rows; r++) {
    const float *xr = x + r * C;
    float *o = out + r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      v128_t centred = wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(mean + c));
      wasm_v128_store(o + c, wasm_f32x4_add(wasm_v128_load(b + c), wasm_f32x4_mul(centred, wasm_v128_load(k + c))));
    }
    for (; c < C; c++) o[c] = b[c] + (xr[c] - mean[c]) * k[c];
  }
}

#endif
