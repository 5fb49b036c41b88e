// The kernels of wasm/conv.c that the native addon serves, shared by native/conv-addon.c (which
// checks a call against this table) and native/conv-dispatch.h (which runs it): name, header
// ints, input arrays, output arrays and scalars. Every call passes its input arrays, then its
// outputs; scratch buffers are the addon's own.
#ifndef ACTLAB_CONV_OPERATIONS_H
#define ACTLAB_CONV_OPERATIONS_H

#include <stdint.h>

#define CONV_OPERATIONS(X)                  \
  X(conv2d_forward, 16, 2, 1, 0)            \
  X(conv2d_forward_fused, 16, 3, 1, 3)      \
  X(conv2d_backprop_filter, 16, 2, 1, 0)    \
  X(conv2d_backprop_input, 16, 2, 1, 0)     \
  X(depthwise_backprop_input, 16, 2, 1, 0)  \
  X(depthwise_backprop_filter, 16, 2, 1, 0) \
  X(tile_repeat, 13, 1, 1, 0)               \
  X(column_reduce, 2, 1, 1, 1)              \
  X(maxpool_backprop, 16, 2, 1, 0)          \
  X(leaky_relu_backprop, 1, 2, 1, 1)        \
  X(batchnorm_backprop, 2, 5, 5, 1)        \
  X(leaky_relu, 1, 1, 1, 1)                 \
  X(broadcast_rows, 2, 1, 1, 1)             \
  X(batchnorm_forward, 4, 5, 1, 1)

/** The most arrays (inputs and outputs) and scratch buffers a call has. */
#define CONV_MAX_ARRAYS 10
#define CONV_MAX_SCRATCH 2

#define CONV_CODE(name, header, inputs, outputs, scalars) CONV_OP_##name,
enum { CONV_OPERATIONS(CONV_CODE) CONV_OPERATION_COUNT };
#undef CONV_CODE

/** One checked call: the header, the input arrays then the outputs, scratch, scalars. */
typedef struct {
  const int32_t *header;
  float *arrays[CONV_MAX_ARRAYS];
  float *scratch[CONV_MAX_SCRATCH];
  double scalars[3];
} ConvCallArgs;

/** Runs one call on the kernels of one instruction set (native/conv-dispatch.h). */
typedef void (*ConvDispatch)(int op, const ConvCallArgs *call);

#endif
