// Node-API wrapper of wasm/dense.c, built with AVX2 + FMA: the same kernels as the WebAssembly
// module with the same arguments (pointers are byte offsets into one memory, 0 meaning "none"),
// so the trainer drives either one. `bind(arrayBuffer, gemm?)` returns
// `{run, rebind, operations, gemm}` for that buffer: `run(program, length)` executes a list of
// kernel calls in one Node-API call, `rebind(larger)` moves to a grown copy. Offsets are checked
// against the buffer's length; extents are the caller's (the trainer's memory plan) to keep right.
// `gemm` names the kernels of gemm_nn, gemm_tn and sparse_product: "avx512" (wasm/gemm-avx512.h
// and wasm/sparse-avx512.h, the default when the CPU has AVX-512F) or "avx2" (wasm/gemm-avx2.h and
// wasm/sparse-rows.h at 8 lanes); both give the same bits. The module's `gemmKernels` lists those
// this CPU runs, best first.
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#include "../wasm/dense.c"

// native/avx512.c, compiled with -mavx512f: called only when the CPU has it.
void actlab_gemm_avx512(int M, int N, int K, const float *A, int rowStride, int kStride, const float *B,
                        int ldb, float *C, int ldc);
void sparse_product_avx512(int rowCount, int N, int K, const int *starts, const int *indices,
                           const float *values, const float *M, int ldm, float *out, int ldo);

static int cpu_has_avx512;

// gemm() of gemm-avx2.h, or the AVX-512 one for what it covers (K ≥ 1, no accumulation: every
// call the trainer makes); the same chain of multiply-adds per element either way.
static void native_gemm(int avx512, int M, int N, int K, const float *A, int rowStride, int kStride,
                        const float *B, int ldb, float *C, int ldc, int accumulate) {
  if (avx512 && !accumulate && K > 0)
    actlab_gemm_avx512(M, N, K, A, rowStride, kStride, B, ldb, C, ldc);
  else
    gemm(M, N, K, A, rowStride, kStride, B, ldb, C, ldc, accumulate);
}

typedef struct {
  char *base;
  size_t length;
  napi_ref buffer;
  int holders; // the kernels object and each of its functions: freed when all are collected
  int avx512;  // gemm_nn and gemm_tn run the AVX-512 micro-kernel
} Memory;

#define MAX_ARGS 13

typedef struct {
  Memory *memory;
  double values[MAX_ARGS];
  int bad;
} Args;

static napi_value number(napi_env env, double value) {
  napi_value result;
  napi_create_double(env, value, &result);
  return result;
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

// The kernels a program may call, with their argument counts: the JavaScript side builds its
// recorder from this table (`operations`), so the codes are defined here once.
#define OPERATIONS(X)                                                                           \
  X(gemm_nn, 10)                                                                                \
  X(gemm_tn, 10)                                                                                \
  X(transpose, 4)                                                                               \
  X(bias_activate, 7)                                                                           \
  X(activation_backward, 6)                                                                     \
  X(column_sums, 4)                                                                             \
  X(softmax_cross_entropy, 7)                                                                   \
  X(count_nonzero, 2)                                                                           \
  X(sparse_index, 7)                                                                            \
  X(sparse_product, 10)                                                                         \
  X(sparse_transposed_product, 10)                                                              \
  X(sparse_sgd_update, 11)                                                                      \
  X(sgd_update, 4)                                                                              \
  X(momentum_update, 7)                                                                         \
  X(adam_update, 13)                                                                            \
  X(adagrad_update, 6)                                                                          \
  X(adadelta_update, 9)                                                                         \
  X(rmsprop_update, 10)

#define CODE(name, count) OP_##name,
enum { OPERATIONS(CODE) OPERATION_COUNT };
#define ENTRY(name, count) {#name, count},
static const struct {
  const char *name;
  int count;
} operations[] = {OPERATIONS(ENTRY)};

// Runs one call of the program; returns 0 when an offset lies outside the memory.
static int execute(Args *args, int op, double *result) {
  Args a = *args;
  switch (op) {
    case OP_gemm_nn: {
      const float *A = P(3), *B = P(5);
      float *C = P(7);
      if (!a.bad) native_gemm(a.memory->avx512, I(0), I(1), I(2), A, I(4), 1, B, I(6), C, I(8), I(9));
      break;
    }
    case OP_gemm_tn: {
      const float *A = P(3), *B = P(5);
      float *C = P(7);
      if (!a.bad) native_gemm(a.memory->avx512, I(0), I(1), I(2), A, 1, I(4), B, I(6), C, I(8), I(9));
      break;
    }
    case OP_transpose: {
      const float *src = P(2);
      float *dst = P(3);
      if (!a.bad) transpose(I(0), I(1), src, dst);
      break;
    }
    case OP_bias_activate: {
      float *Z = P(2), *A = P(4);
      const float *bias = P(3);
      if (!a.bad) bias_activate(I(0), I(1), Z, bias, A, I(5), F(6));
      break;
    }
    case OP_activation_backward: {
      float *G = P(1);
      const float *Z = P(2), *A = P(3);
      if (!a.bad) activation_backward(I(0), G, Z, A, I(4), F(5));
      break;
    }
    case OP_column_sums: {
      const float *G = P(2);
      float *out = P(3);
      if (!a.bad) column_sums(I(0), I(1), G, out);
      break;
    }
    case OP_softmax_cross_entropy: {
      const float *Z = P(2), *Y = P(3);
      float *Pr = P(4), *G = P(5);
      if (!a.bad) *result = softmax_cross_entropy(I(0), I(1), Z, Y, Pr, G, F(6));
      break;
    }
    case OP_count_nonzero: {
      const float *X = P(1);
      if (!a.bad) *result = count_nonzero(I(0), X);
      break;
    }
    case OP_sparse_index: {
      const float *X = P(2);
      int *starts = P(3), *indices = P(4);
      float *values = P(5);
      uint64_t *colBits = P(6);
      if (!a.bad) sparse_index(I(0), I(1), X, starts, indices, values, colBits);
      break;
    }
    case OP_sparse_product: {
      const int *starts = P(3), *indices = P(4);
      const float *values = P(5), *M = P(6);
      float *out = P(8);
      if (a.bad) break;
      if (a.memory->avx512)
        sparse_product_avx512(I(0), I(1), I(2), starts, indices, values, M, I(7), out, I(9));
      else
        sparse_product(I(0), I(1), I(2), starts, indices, values, M, I(7), out, I(9));
      break;
    }
    case OP_sparse_transposed_product: {
      const uint64_t *colBits = P(3);
      const float *X = P(4), *M = P(6);
      float *out = P(8);
      if (!a.bad) sparse_transposed_product(I(0), I(1), I(2), colBits, X, I(5), M, I(7), out, I(9));
      break;
    }
    case OP_sparse_sgd_update: {
      const uint64_t *colBits = P(3);
      const float *X = P(4), *M = P(6);
      float *W = P(8);
      if (!a.bad) sparse_sgd_update(I(0), I(1), I(2), colBits, X, I(5), M, I(7), W, I(9), F(10));
      break;
    }
    case OP_sgd_update: {
      float *W = P(1);
      const float *G = P(2);
      if (!a.bad) sgd_update(I(0), W, G, F(3));
      break;
    }
    case OP_momentum_update: {
      float *W = P(1), *acc = P(3);
      const float *G = P(2);
      if (!a.bad) momentum_update(I(0), W, G, acc, F(4), F(5), I(6));
      break;
    }
    case OP_adam_update: {
      float *W = P(1), *m = P(3), *v = P(4);
      const float *G = P(2);
      if (!a.bad) adam_update(I(0), W, G, m, v, F(5), F(6), F(7), F(8), F(9), F(10), F(11), F(12));
      break;
    }
    case OP_adagrad_update: {
      float *W = P(1), *acc = P(3);
      const float *G = P(2);
      if (!a.bad) adagrad_update(I(0), W, G, acc, F(4), F(5));
      break;
    }
    case OP_adadelta_update: {
      float *W = P(1), *accGrad = P(3), *accUpdate = P(4);
      const float *G = P(2);
      if (!a.bad) adadelta_update(I(0), W, G, accGrad, accUpdate, F(5), F(6), F(7), F(8));
      break;
    }
    case OP_rmsprop_update: {
      float *W = P(1), *ms = P(3), *mo = P(4);
      const float *G = P(2);
      if (!a.bad) rmsprop_update(I(0), W, G, ms, mo, F(5), F(6), F(7), F(8), F(9));
      break;
    }
    default:
      return 0;
  }
  return !a.bad;
}

// run(program: Float64Array, length): executes the calls [code, ...arguments] in order, in one
// Node-API call (a call costs ~0.3 µs, a Dense layer's step makes ~9); returns the value of the
// last call that returns one (the loss), or 0.
static napi_value run(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  void *data;
  napi_get_cb_info(env, info, &argc, argv, NULL, &data);
  napi_typedarray_type type;
  size_t available = 0;
  void *values = NULL;
  double requested = 0;
  if (argc < 2 ||
      napi_get_typedarray_info(env, argv[0], &type, &available, &values, NULL, NULL) != napi_ok ||
      type != napi_float64_array || napi_get_value_double(env, argv[1], &requested) != napi_ok ||
      !(requested >= 0 && requested <= (double)available)) {
    napi_throw_type_error(env, "ARGUMENTS", "run needs a Float64Array program and its length");
    return NULL;
  }
  const double *program = (const double *)values;
  size_t length = (size_t)requested;
  Args args = {.memory = (Memory *)data, .bad = 0};
  double result = 0;
  for (size_t i = 0; i < length;) {
    double code = program[i];
    int op = (int)code;
    if (!(code >= 0 && code < OPERATION_COUNT) || i + 1 + operations[op].count > length) {
      napi_throw_range_error(env, "PROGRAM", "a native kernel program is malformed");
      return NULL;
    }
    for (int k = 0; k < operations[op].count; k++) args.values[k] = program[i + 1 + k];
    if (!execute(&args, op, &result)) {
      napi_throw_range_error(env, "OFFSET", "a native kernel offset lies outside its memory");
      return NULL;
    }
    i += 1 + operations[op].count;
  }
  return number(env, result);
}

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

static napi_value string(napi_env env, const char *text) {
  napi_value result;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &result);
  return result;
}

// The GEMM kernel bind's second argument asks for: 1 for "avx512", 0 for "avx2", the best this CPU
// runs when absent or undefined; -1 (with a JavaScript error thrown) otherwise.
static int requested_gemm(napi_env env, size_t argc, napi_value *argv) {
  napi_valuetype type = napi_undefined;
  if (argc >= 2) napi_typeof(env, argv[1], &type);
  if (type == napi_undefined) return cpu_has_avx512;
  char name[16] = {0};
  size_t length = 0;
  if (type == napi_string &&
      napi_get_value_string_utf8(env, argv[1], name, sizeof name, &length) == napi_ok) {
    if (strcmp(name, "avx2") == 0) return 0;
    if (strcmp(name, "avx512") == 0) {
      if (cpu_has_avx512) return 1;
      napi_throw_error(env, "CPU_FEATURES", "this CPU lacks AVX-512F, which the avx512 GEMM kernel needs");
      return -1;
    }
  }
  napi_throw_type_error(env, "ARGUMENTS", "the GEMM kernel is \"avx512\", \"avx2\" or undefined");
  return -1;
}

static napi_value bind(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int avx512 = requested_gemm(env, argc, argv);
  if (avx512 < 0) return NULL;
  Memory *memory = calloc(1, sizeof(Memory));
  if (!memory) {
    napi_throw_error(env, "MEMORY", "out of memory");
    return NULL;
  }
  memory->avx512 = avx512;
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
  } table[] = {{"run", run}, {"rebind", rebind}};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    napi_value function;
    napi_create_function(env, table[i].name, NAPI_AUTO_LENGTH, table[i].callback, memory, &function);
    memory->holders++;
    napi_add_finalizer(env, function, memory, release, NULL, NULL);
    napi_set_named_property(env, kernels, table[i].name, function);
  }
  napi_value list;
  napi_create_array_with_length(env, OPERATION_COUNT, &list);
  for (uint32_t i = 0; i < OPERATION_COUNT; i++) {
    napi_value entry, name;
    napi_create_array_with_length(env, 2, &entry);
    napi_create_string_utf8(env, operations[i].name, NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, entry, 0, name);
    napi_set_element(env, entry, 1, number(env, operations[i].count));
    napi_set_element(env, list, i, entry);
  }
  napi_set_named_property(env, kernels, "operations", list);
  napi_set_named_property(env, kernels, "gemm", string(env, avx512 ? "avx512" : "avx2"));
  return kernels;
}

napi_value actlab_register_kernels(napi_env env, napi_value exports, int avx512) {
  cpu_has_avx512 = avx512 != 0;
  napi_value function;
  napi_create_function(env, "bind", NAPI_AUTO_LENGTH, bind, NULL, &function);
  napi_set_named_property(env, exports, "bind", function);
  napi_value kernels;
  napi_create_array_with_length(env, 0, &kernels);
  uint32_t count = 0;
  if (cpu_has_avx512) napi_set_element(env, kernels, count++, string(env, "avx512"));
  napi_set_element(env, kernels, count++, string(env, "avx2"));
  napi_set_named_property(env, exports, "gemmKernels", kernels);
  return exports;
}
