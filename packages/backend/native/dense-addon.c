// Node-API wrapper of wasm/dense.c, built with AVX2 + FMA: the same kernels as the WebAssembly
// module, called the same way (pointers are byte offsets into one memory, 0 meaning "none"), so
// the trainer drives either one. `bind(arrayBuffer)` returns the kernels working on that buffer;
// `kernels.rebind(larger)` moves them to a grown copy. Offsets are checked against the buffer's
// length; extents are the caller's (the trainer's memory plan) to keep right.
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdlib.h>

#include "../wasm/dense.c"

typedef struct {
  char *base;
  size_t length;
  napi_ref buffer;
  int holders; // the kernels object and each of its functions: freed when all are collected
} Memory;

#define MAX_ARGS 13

typedef struct {
  Memory *memory;
  double values[MAX_ARGS];
  int bad;
} Args;

static int read_args(napi_env env, napi_callback_info info, size_t count, Args *args) {
  napi_value argv[MAX_ARGS];
  size_t argc = MAX_ARGS;
  void *data;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok) return 0;
  args->memory = (Memory *)data;
  args->bad = 0;
  if (argc < count) {
    napi_throw_type_error(env, "ARGUMENTS", "a native kernel was called with too few arguments");
    return 0;
  }
  for (size_t i = 0; i < count; i++)
    if (napi_get_value_double(env, argv[i], &args->values[i]) != napi_ok) {
      napi_throw_type_error(env, "ARGUMENTS", "native kernel arguments must be numbers");
      return 0;
    }
  return 1;
}

INLINE int int_at(Args *a, int i) { return (int)a->values[i]; }
INLINE float float_at(Args *a, int i) { return (float)a->values[i]; }
INLINE void *pointer_at(Args *a, int i) {
  double offset = a->values[i];
  if (offset == 0) return NULL;
  if (!(offset > 0 && offset < (double)a->memory->length)) {
    a->bad = 1;
    return NULL;
  }
  return a->memory->base + (size_t)offset;
}

#define I(i) int_at(&a, i)
#define F(i) float_at(&a, i)
#define P(i) pointer_at(&a, i)
#define KERNEL(name, count, ...)                                                               \
  static napi_value wrap_##name(napi_env env, napi_callback_info info) {                        \
    Args a;                                                                                     \
    if (!read_args(env, info, count, &a)) return NULL;                                          \
    __VA_ARGS__                                                                                 \
  }
// Evaluates the pointers first (into locals) so a bad offset throws before any kernel runs.
#define CHECK_POINTERS()                                                                        \
  if (a.bad) {                                                                                  \
    napi_throw_range_error(env, "OFFSET", "a native kernel offset lies outside its memory");    \
    return NULL;                                                                                \
  }

static napi_value number(napi_env env, double value) {
  napi_value result;
  napi_create_double(env, value, &result);
  return result;
}

KERNEL(gemm_nn, 10, {
  const float *A = P(3), *B = P(5);
  float *C = P(7);
  CHECK_POINTERS();
  gemm_nn(I(0), I(1), I(2), A, I(4), B, I(6), C, I(8), I(9));
  return NULL;
})
KERNEL(gemm_tn, 10, {
  const float *A = P(3), *B = P(5);
  float *C = P(7);
  CHECK_POINTERS();
  gemm_tn(I(0), I(1), I(2), A, I(4), B, I(6), C, I(8), I(9));
  return NULL;
})
KERNEL(transpose, 4, {
  const float *src = P(2);
  float *dst = P(3);
  CHECK_POINTERS();
  transpose(I(0), I(1), src, dst);
  return NULL;
})
KERNEL(bias_activate, 7, {
  float *Z = P(2), *A = P(4);
  const float *bias = P(3);
  CHECK_POINTERS();
  bias_activate(I(0), I(1), Z, bias, A, I(5), F(6));
  return NULL;
})
KERNEL(activation_backward, 6, {
  float *G = P(1);
  const float *Z = P(2), *A = P(3);
  CHECK_POINTERS();
  activation_backward(I(0), G, Z, A, I(4), F(5));
  return NULL;
})
KERNEL(column_sums, 4, {
  const float *G = P(2);
  float *out = P(3);
  CHECK_POINTERS();
  column_sums(I(0), I(1), G, out);
  return NULL;
})
KERNEL(softmax_cross_entropy, 7, {
  const float *Z = P(2), *Y = P(3);
  float *Pr = P(4), *G = P(5);
  CHECK_POINTERS();
  return number(env, softmax_cross_entropy(I(0), I(1), Z, Y, Pr, G, F(6)));
})
KERNEL(count_nonzero, 2, {
  const float *X = P(1);
  CHECK_POINTERS();
  return number(env, count_nonzero(I(0), X));
})
KERNEL(sparse_index, 9, {
  const float *X = P(2);
  int *rowStarts = P(3), *rowIndices = P(4), *colStarts = P(6), *colIndices = P(7);
  float *rowValues = P(5), *colValues = P(8);
  CHECK_POINTERS();
  sparse_index(I(0), I(1), X, rowStarts, rowIndices, rowValues, colStarts, colIndices, colValues);
  return NULL;
})
KERNEL(sparse_product, 9, {
  const int *starts = P(2), *indices = P(3);
  const float *values = P(4), *M = P(5);
  float *out = P(7);
  CHECK_POINTERS();
  sparse_product(I(0), I(1), starts, indices, values, M, I(6), out, I(8));
  return NULL;
})
KERNEL(sgd_update, 4, {
  float *W = P(1);
  const float *G = P(2);
  CHECK_POINTERS();
  sgd_update(I(0), W, G, F(3));
  return NULL;
})
KERNEL(momentum_update, 7, {
  float *W = P(1), *acc = P(3);
  const float *G = P(2);
  CHECK_POINTERS();
  momentum_update(I(0), W, G, acc, F(4), F(5), I(6));
  return NULL;
})
KERNEL(adam_update, 13, {
  float *W = P(1), *m = P(3), *v = P(4);
  const float *G = P(2);
  CHECK_POINTERS();
  adam_update(I(0), W, G, m, v, F(5), F(6), F(7), F(8), F(9), F(10), F(11), F(12));
  return NULL;
})
KERNEL(adagrad_update, 6, {
  float *W = P(1), *acc = P(3);
  const float *G = P(2);
  CHECK_POINTERS();
  adagrad_update(I(0), W, G, acc, F(4), F(5));
  return NULL;
})
KERNEL(adadelta_update, 9, {
  float *W = P(1), *accGrad = P(3), *accUpdate = P(4);
  const float *G = P(2);
  CHECK_POINTERS();
  adadelta_update(I(0), W, G, accGrad, accUpdate, F(5), F(6), F(7), F(8));
  return NULL;
})
KERNEL(rmsprop_update, 10, {
  float *W = P(1), *ms = P(3), *mo = P(4);
  const float *G = P(2);
  CHECK_POINTERS();
  rmsprop_update(I(0), W, G, ms, mo, F(5), F(6), F(7), F(8), F(9));
  return NULL;
})

static int attach(napi_env env, Memory *memory, napi_value buffer) {
  void *data;
  size_t length;
  if (napi_get_arraybuffer_info(env, buffer, &data, &length) != napi_ok) {
    napi_throw_type_error(env, "ARGUMENTS", "expected an ArrayBuffer for the kernels' memory");
    return 0;
  }
  if (memory->buffer) napi_delete_reference(env, memory->buffer);
  napi_create_reference(env, buffer, 1, &memory->buffer);
  memory->base = (char *)data;
  memory->length = length;
  return 1;
}

static napi_value rebind(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  void *data;
  napi_get_cb_info(env, info, &argc, argv, NULL, &data);
  if (argc < 1) {
    napi_throw_type_error(env, "ARGUMENTS", "rebind needs an ArrayBuffer");
    return NULL;
  }
  attach(env, (Memory *)data, argv[0]);
  return NULL;
}

static void release(napi_env env, void *data, void *hint) {
  (void)hint;
  Memory *memory = (Memory *)data;
  if (--memory->holders > 0) return;
  if (memory->buffer) napi_delete_reference(env, memory->buffer);
  free(memory);
}

static napi_value bind(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  Memory *memory = calloc(1, sizeof(Memory));
  if (!memory) {
    napi_throw_error(env, "MEMORY", "out of memory");
    return NULL;
  }
  if (argc < 1 || !attach(env, memory, argv[0])) {
    free(memory);
    if (argc < 1) napi_throw_type_error(env, "ARGUMENTS", "bind needs an ArrayBuffer");
    return NULL;
  }
  napi_value kernels;
  napi_create_object(env, &kernels);
  memory->holders = 1;
  napi_add_finalizer(env, kernels, memory, release, NULL, NULL);
  const struct {
    const char *name;
    napi_callback callback;
  } table[] = {
      {"gemm_nn", wrap_gemm_nn},
      {"gemm_tn", wrap_gemm_tn},
      {"transpose", wrap_transpose},
      {"bias_activate", wrap_bias_activate},
      {"activation_backward", wrap_activation_backward},
      {"column_sums", wrap_column_sums},
      {"softmax_cross_entropy", wrap_softmax_cross_entropy},
      {"count_nonzero", wrap_count_nonzero},
      {"sparse_index", wrap_sparse_index},
      {"sparse_product", wrap_sparse_product},
      {"sgd_update", wrap_sgd_update},
      {"momentum_update", wrap_momentum_update},
      {"adam_update", wrap_adam_update},
      {"adagrad_update", wrap_adagrad_update},
      {"adadelta_update", wrap_adadelta_update},
      {"rmsprop_update", wrap_rmsprop_update},
      {"rebind", rebind},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    napi_value function;
    napi_create_function(env, table[i].name, NAPI_AUTO_LENGTH, table[i].callback, memory, &function);
    memory->holders++;
    napi_add_finalizer(env, function, memory, release, NULL, NULL);
    napi_set_named_property(env, kernels, table[i].name, function);
  }
  return kernels;
}

napi_value actlab_register_kernels(napi_env env, napi_value exports) {
  napi_value function;
  napi_create_function(env, "bind", NAPI_AUTO_LENGTH, bind, NULL, &function);
  napi_set_named_property(env, exports, "bind", function);
  return exports;
}
