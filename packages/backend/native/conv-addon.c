// Node-API wrapper of wasm/conv.c (the CNN kernels of useConvKernels), built with AVX2 + FMA; the
// AVX-512 build of the same kernels is native/conv-avx512.c. Unlike the WebAssembly module, which
// copies arrays into its own memory, a call works on the caller's Float32Arrays in place (for
// tfjs-wasm, views of its heap). Every array's length is checked against what the header's
// geometry reads and writes, so a wrong call throws instead of touching memory it does not own;
// scratch buffers are allocated here.
//
//   conv(code, avx512, header: Int32Array, arrays: Float32Array[] (inputs, then outputs),
//        scalars: number[])
//   convOperations: [name, headerLength, inputCount, outputCount, scalarCount][] (by code)
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdlib.h>

#define EXPORT(name) static
#include "../wasm/conv.c"

#include "conv-operations.h"

#define CONV_DISPATCH actlab_conv_avx2
__attribute__((visibility("hidden"))) void actlab_conv_avx2(int op, const ConvCallArgs *call);
#include "conv-dispatch.h"

// native/conv-avx512.c, compiled with -mavx512f: called only when the CPU has it.
void actlab_conv_avx512(int op, const ConvCallArgs *call);

static int conv_cpu_has_avx512;

#define CONV_ENTRY(name, header, inputs, outputs, scalars) {#name, header, inputs, outputs, scalars},
static const struct {
  const char *name;
  int header, inputs, outputs, scalars;
} conv_operations[] = {CONV_OPERATIONS(CONV_ENTRY)};
#undef CONV_ENTRY

// Sizes are counted in 64 bits and must stay below 2³¹ floats: the kernels index with int.
#define LIMIT ((int64_t)1 << 31)

#define NEEDS (CONV_MAX_ARRAYS + CONV_MAX_SCRATCH)

/** The floats each array of a call needs (inputs, outputs, then scratch); 0 when the header is bad. */
static int requirements(int op, const int32_t *h, int64_t need[NEEDS]) {
  for (int i = 0; i < NEEDS; i++) need[i] = 0;
  int fields = conv_operations[op].header;
  for (int i = 0; i < fields; i++)
    if (h[i] < 0) return 0;
  if (op == CONV_OP_leaky_relu_backprop) {
    need[0] = need[1] = need[2] = h[0];
  } else if (op == CONV_OP_leaky_relu) {
    need[0] = need[1] = h[0];
  } else if (op == CONV_OP_broadcast_rows) {
    need[0] = h[1];
    need[1] = (int64_t)h[0] * h[1];
  } else if (op == CONV_OP_batchnorm_forward) {
    int64_t all = (int64_t)h[0] * h[1], C = h[1];
    int64_t sizes[7] = {all, C, C, h[2] ? C : 0, h[3] ? C : 0, all, 2 * C};
    for (int i = 0; i < 7; i++) need[i] = sizes[i];
  } else if (op == CONV_OP_batchnorm_backprop) {
    int64_t all = (int64_t)h[0] * h[1], C = h[1];
    int64_t sizes[11] = {all, C, C, C, all, all, C, C, C, C, 4 * C};
    for (int i = 0; i < 11; i++) need[i] = sizes[i];
  } else if (op == CONV_OP_column_reduce) {
    need[0] = (int64_t)h[0] * h[1];
    need[1] = h[1];
  } else if (op == CONV_OP_tile_repeat) {
    int rank = h[0];
    if (rank < 1 || rank > 6) return 0;
    int64_t in = 1, out = 1;
    for (int d = 0; d < rank; d++) {
      in *= h[1 + d];
      out *= (int64_t)h[1 + d] * h[7 + d];
      if (in >= LIMIT || out >= LIMIT) return 0;
    }
    need[0] = in;
    need[1] = out;
  } else {
    const Conv *s = (const Conv *)h;
    if (s->strideHeight < 1 || s->strideWidth < 1 || s->dilationHeight < 1 || s->dilationWidth < 1)
      return 0;
    int64_t x = (int64_t)s->batch * s->inHeight * s->inWidth * s->inChannels;
    int64_t y = (int64_t)s->batch * s->outHeight * s->outWidth * s->outChannels;
    int64_t k = (int64_t)s->filterHeight * s->filterWidth * s->inChannels;
    int64_t filter = k * s->outChannels;
    int64_t cols = (int64_t)s->blockRows * k;
    int depthwise = op == CONV_OP_depthwise_backprop_input || op == CONV_OP_depthwise_backprop_filter;
    if (depthwise) {
      if (s->inChannels < 1 || s->outChannels % s->inChannels != 0) return 0;
      filter = (int64_t)s->filterHeight * s->filterWidth * s->outChannels;
    } else if (op != CONV_OP_maxpool_backprop && s->blockRows < 1) {
      return 0;  // the row-block loops would not advance
    }
    switch (op) {
      case CONV_OP_conv2d_forward:
        need[0] = x, need[1] = filter, need[2] = y, need[3] = cols;
        break;
      case CONV_OP_conv2d_forward_fused:
        need[0] = x, need[1] = filter, need[2] = 0, need[3] = y, need[4] = cols;
        break;
      case CONV_OP_conv2d_backprop_filter:
        need[0] = x, need[1] = y, need[2] = filter, need[3] = cols;
        break;
      case CONV_OP_conv2d_backprop_input:
        need[0] = y, need[1] = filter, need[2] = x, need[3] = filter, need[4] = cols;
        break;
      case CONV_OP_depthwise_backprop_input:
        need[0] = y, need[1] = filter, need[2] = x;
        break;
      case CONV_OP_depthwise_backprop_filter:
        need[0] = x, need[1] = y, need[2] = filter;
        break;
      case CONV_OP_maxpool_backprop:
        if (s->outChannels != s->inChannels) return 0;
        need[0] = y, need[1] = x, need[2] = x;
        break;
      default:
        return 0;
    }
  }
  for (int i = 0; i < NEEDS; i++)
    if (need[i] >= LIMIT) return 0;
  return 1;
}

static napi_value conv_fail(napi_env env, const char *code, const char *message) {
  napi_throw_range_error(env, code, message);
  return NULL;
}

static napi_value conv(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  size_t argc = 5;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  double code = -1;
  bool avx512 = false, isArray = false;
  napi_typedarray_type type;
  size_t headerLength = 0;
  void *header = NULL;
  if (argc < 5 || napi_get_value_double(env, argv[0], &code) != napi_ok ||
      !(code >= 0 && code < CONV_OPERATION_COUNT) ||
      napi_get_value_bool(env, argv[1], &avx512) != napi_ok ||
      napi_get_typedarray_info(env, argv[2], &type, &headerLength, &header, NULL, NULL) != napi_ok ||
      type != napi_int32_array || napi_is_array(env, argv[3], &isArray) != napi_ok || !isArray ||
      napi_is_array(env, argv[4], &isArray) != napi_ok || !isArray)
    return conv_fail(env, "ARGUMENTS",
                     "conv needs (code, avx512, Int32Array header, Float32Array[] arrays, number[] scalars)");
  int op = (int)code;
  if (avx512 && !conv_cpu_has_avx512)
    return conv_fail(env, "CPU_FEATURES", "this CPU lacks AVX-512F, which the avx512 kernels need");
  uint32_t arrayCount = 0, scalarCount = 0;
  napi_get_array_length(env, argv[3], &arrayCount);
  napi_get_array_length(env, argv[4], &scalarCount);
  int arrays = conv_operations[op].inputs + conv_operations[op].outputs;
  if ((int)headerLength != conv_operations[op].header || (int)arrayCount != arrays ||
      (int)scalarCount != conv_operations[op].scalars)
    return conv_fail(env, "ARGUMENTS", "a conv kernel call has the wrong number of fields, arrays or scalars");
  ConvCallArgs call = {.header = (const int32_t *)header};
  int64_t need[NEEDS];
  if (!requirements(op, call.header, need))
    return conv_fail(env, "GEOMETRY", "a conv kernel header describes an impossible or too large geometry");
  for (uint32_t i = 0; i < arrayCount; i++) {
    napi_value element;
    size_t length = 0;
    void *data = NULL;
    if (napi_get_element(env, argv[3], i, &element) != napi_ok ||
        napi_get_typedarray_info(env, element, &type, &length, &data, NULL, NULL) != napi_ok ||
        type != napi_float32_array)
      return conv_fail(env, "ARGUMENTS", "conv kernel arrays must be Float32Arrays");
    if ((int64_t)length < need[i])
      return conv_fail(env, "GEOMETRY", "a conv kernel array is shorter than its geometry needs");
    call.arrays[i] = (float *)data;
  }
  for (uint32_t i = 0; i < scalarCount; i++) {
    napi_value element;
    if (napi_get_element(env, argv[4], i, &element) != napi_ok ||
        napi_get_value_double(env, element, &call.scalars[i]) != napi_ok)
      return conv_fail(env, "ARGUMENTS", "conv kernel scalars must be numbers");
  }
  // The fused forward pass reads a bias only when told so, and then one value per output channel.
  if (op == CONV_OP_conv2d_forward_fused && call.scalars[0] != 0) {
    napi_value element;
    size_t length = 0;
    void *data = NULL;
    napi_get_element(env, argv[3], 2, &element);
    napi_get_typedarray_info(env, element, &type, &length, &data, NULL, NULL);
    if ((int64_t)length < ((const Conv *)call.header)->outChannels)
      return conv_fail(env, "GEOMETRY", "a conv kernel bias is shorter than its output channels");
  }
  // Scratch, in the C signature's order (conv2d_backprop_input: the transposed filter, then the
  // column block; the other convolutions: the column block).
  void *blocks[CONV_MAX_SCRATCH] = {NULL, NULL};
  for (int i = 0; i < CONV_MAX_SCRATCH && arrays + i < NEEDS && need[arrays + i] > 0; i++) {
    blocks[i] = aligned_alloc(64, ((size_t)need[arrays + i] * sizeof(float) + 63) & ~(size_t)63);
    if (!blocks[i]) {
      free(blocks[0]);
      napi_throw_error(env, "MEMORY", "out of memory for a conv kernel's scratch buffer");
      return NULL;
    }
    call.scratch[i] = blocks[i];
  }
  (avx512 ? actlab_conv_avx512 : actlab_conv_avx2)(op, &call);
  free(blocks[0]);
  free(blocks[1]);
  return NULL;
}

napi_value actlab_register_conv_kernels(napi_env env, napi_value exports, int avx512) {
  conv_cpu_has_avx512 = avx512 != 0;
  napi_value function, list;
  napi_create_function(env, "conv", NAPI_AUTO_LENGTH, conv, NULL, &function);
  napi_set_named_property(env, exports, "conv", function);
  napi_create_array_with_length(env, CONV_OPERATION_COUNT, &list);
  for (uint32_t i = 0; i < CONV_OPERATION_COUNT; i++) {
    napi_value entry, value;
    napi_create_array_with_length(env, 5, &entry);
    napi_create_string_utf8(env, conv_operations[i].name, NAPI_AUTO_LENGTH, &value);
    napi_set_element(env, entry, 0, value);
    const int fields[4] = {conv_operations[i].header, conv_operations[i].inputs, conv_operations[i].outputs,
                           conv_operations[i].scalars};
    for (int f = 0; f < 4; f++) {
      napi_create_int32(env, fields[f], &value);
      napi_set_element(env, entry, 1 + f, value);
    }
    napi_set_element(env, list, i, entry);
  }
  napi_set_named_property(env, exports, "convOperations", list);
  return exports;
}
