// Runs a checked call (native/conv-operations.h) on the kernels of wasm/conv.c as compiled in the
// including translation unit, which defines CONV_DISPATCH as the function's name.
#include "conv-operations.h"

void CONV_DISPATCH(int op, const ConvCallArgs *c) {
  const void *h = c->header;
  float *const *a = c->arrays;
  switch (op) {
    case CONV_OP_conv2d_forward:
      conv2d_forward(h, a[0], a[1], a[2], c->scratch[0]);
      break;
    case CONV_OP_conv2d_forward_fused:
      conv2d_forward_fused(h, a[0], a[1], a[2], a[3], c->scratch[0], (int)c->scalars[0],
                           (int)c->scalars[1], (float)c->scalars[2]);
      break;
    case CONV_OP_conv2d_backprop_filter:
      conv2d_backprop_filter(h, a[0], a[1], a[2], c->scratch[0]);
      break;
    case CONV_OP_conv2d_backprop_input:
      conv2d_backprop_input(h, a[0], a[1], a[2], c->scratch[0], c->scratch[1]);
      break;
    case CONV_OP_depthwise_backprop_input:
      depthwise_backprop_input(h, a[0], a[1], a[2]);
      break;
    case CONV_OP_depthwise_backprop_filter:
      depthwise_backprop_filter(h, a[0], a[1], a[2]);
      break;
    case CONV_OP_tile_repeat:
      tile_repeat(h, a[0], a[1]);
      break;
    case CONV_OP_column_reduce:
      column_reduce(h, a[0], a[1], (float)c->scalars[0]);
      break;
    case CONV_OP_maxpool_backprop:
      maxpool_backprop(h, a[0], a[1], a[2]);
      break;
    case CONV_OP_leaky_relu_backprop:
      leaky_relu_backprop(h, a[0], a[1], a[2], (float)c->scalars[0]);
      break;
    case CONV_OP_batchnorm_backprop:
      batchnorm_backprop(h, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], c->scratch[0],
                         (float)c->scalars[0]);
      break;
    case CONV_OP_leaky_relu:
      leaky_relu(h, a[0], a[1], (float)c->scalars[0]);
      break;
    case CONV_OP_broadcast_rows:
      broadcast_rows(h, a[0], a[1], (float)c->scalars[0]);
      break;
    case CONV_OP_batchnorm_forward:
      batchnorm_forward(h, a[0], a[1], a[2], a[3], a[4], a[5], c->scratch[0], (float)c->scalars[0]);
      break;
    default:
      break;
  }
}
