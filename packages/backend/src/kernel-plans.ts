import * as tf from '@tensorflow/tfjs-core';
import type { ConvOperation } from './conv-wasm.js';

/** What one kernel call computes in wasm/conv.c; planners return undefined for stock cases. */
export interface KernelPlan {
  operation: ConvOperation;
  header: number[];
  inputs: tf.TensorInfo[];
  outShape: number[];
  scratch?: number[];
  scalars?: number[];
}

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

type Shape4 = [number, number, number, number];
type Planner = (inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => KernelPlan | undefined;

// im2col blocks of about 256 KiB: they stay in L2 while the GEMM streams the filter past them.
const blockFloats = 65_536;

/** A call of one of the convolutions, with its scratch buffers; undefined for NCHW. */
function convPlan(
  operation: ConvOperation,
  xShape: Shape4,
  filterShape: Shape4,
  attrs: ConvAttrs,
  inputs: (tf.TensorInfo | undefined)[],
  outShape?: number[],
): KernelPlan | undefined {
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || inputs.some((input) => !input)) return undefined;
  const depthwise = operation.startsWith('depthwise');
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  const blockRows = Math.max(4, Math.floor(blockFloats / k / 4) * 4);
  const scratch: number[] = [];
  if (operation === 'conv2d_backprop_input') scratch.push(k * info.outChannels);
  if (!depthwise) scratch.push(blockRows * k);
  return {
    operation,
    header: convHeader(info, blockRows),
    inputs: inputs as tf.TensorInfo[],
    outShape: outShape ?? [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
    scratch,
  };
}

/** wasm/conv.c's `Conv` struct: the field order is the ABI. */
function convHeader(info: tf.backend_util.Conv2DInfo, blockRows: number): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    blockRows,
  ];
}

const shape4 = (info: tf.TensorInfo | undefined) => info?.shape as Shape4;

/** Sum or Mean over every axis but the last (BatchNorm's statistics and gradients). */
function columnReduce(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, mean: boolean) {
  const x = inputs.x;
  if (!x || x.shape.length < 2) return undefined;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  if (sorted.length !== rank - 1 || sorted.some((axis, i) => axis !== i)) return undefined;
  const cols = x.shape[rank - 1] as number;
  const rows = tf.util.sizeFromShape(x.shape) / Math.max(cols, 1);
  if (rows === 0) return undefined;
  return {
    operation: 'column_reduce' as const,
    header: [rows, cols],
    inputs: [x],
    outShape: attrs.keepDims ? [...Array(rank - 1).fill(1), cols] : [cols],
    scalars: [mean ? 1 / rows : 1],
  };
}

/** FusedConv2D activations wasm/conv.c applies, by their code there (the array index). */
const fusedActivations = ['linear', 'relu', 'relu6', 'leakyrelu'];

/** A filter gradient: inputs x and dy, the filter's shape in the attributes. */
const filterGradient =
  (operation: ConvOperation): Planner =>
  ({ x, dy }, attrs) => {
    const a = attrs as unknown as ConvAttrs;
    return (
      a.filterShape && convPlan(operation, shape4(x), a.filterShape, a, [x, dy], a.filterShape)
    );
  };

/** An input gradient: inputs dy and the filter, the input's shape in the attributes. */
const inputGradient =
  (operation: ConvOperation): Planner =>
  ({ dy, filter }, attrs) => {
    const a = attrs as unknown as ConvAttrs;
    return (
      a.inputShape &&
      convPlan(operation, a.inputShape, shape4(filter), a, [dy, filter], a.inputShape)
    );
  };

/** Each kernel the wasm module serves: how its inputs and attributes become a call. */
export const kernelPlanners: Record<string, Planner> = {
  Conv2D: ({ x, filter }, attrs) =>
    convPlan('conv2d_forward', shape4(x), shape4(filter), attrs as unknown as ConvAttrs, [
      x,
      filter,
    ]),
  FusedConv2D: ({ x, filter, bias, preluActivationWeights }, attrs) => {
    const activation = fusedActivations.indexOf(String(attrs.activation ?? 'linear'));
    if (activation < 0 || preluActivationWeights) return undefined;
    const outChannels = (filter?.shape[3] ?? 0) as number;
    // A bias of one value per output channel; tfjs also allows broadcasting shapes (stock kernel).
    if (bias && tf.util.sizeFromShape(bias.shape) !== outChannels) return undefined;
    const a = attrs as unknown as ConvAttrs;
    const plan = convPlan('conv2d_forward_fused', shape4(x), shape4(filter), a, [x, filter]);
    if (!plan) return undefined;
    // Without a bias the bias slot still needs an array: the filter stands in, unread.
    plan.inputs.push(bias ?? (filter as tf.TensorInfo));
    const alpha = (attrs.leakyreluAlpha as number | undefined) ?? 0.2;
    return { ...plan, scalars: [bias ? 1 : 0, activation, alpha] };
  },
  Conv2DBackpropFilter: filterGradient('conv2d_backprop_filter'),
  Conv2DBackpropInput: inputGradient('conv2d_backprop_input'),
  DepthwiseConv2dNativeBackpropFilter: filterGradient('depthwise_backprop_filter'),
  DepthwiseConv2dNativeBackpropInput: inputGradient('depthwise_backprop_input'),
  Tile: ({ x }, attrs) => {
    const reps = attrs.reps as number[];
    if (!x || x.shape.length === 0 || x.shape.length > 6 || reps.length !== x.shape.length)
      return undefined;
    const outShape = x.shape.map((size, d) => size * (reps[d] as number));
    if (tf.util.sizeFromShape(outShape) === 0) return undefined;
    const pad = (values: number[]) => [...values, ...Array(6 - values.length).fill(1)];
    return {
      operation: 'tile_repeat',
      header: [x.shape.length, ...pad(x.shape), ...pad(reps)],
      inputs: [x],
      outShape,
    };
  },
  MaxPoolGrad: ({ dy, input }, attrs) => {
    if (!dy || !input) return undefined;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as Shape4,
      attrs.filterSize as [number, number] | number,
      attrs.strides as [number, number] | number,
      1,
      attrs.pad as 'same' | 'valid' | number,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    return {
      operation: 'maxpool_backprop',
      header: convHeader(info, 0),
      inputs: [dy, input],
      outShape: input.shape,
    };
  },
  Sum: (inputs, attrs) => columnReduce(inputs, attrs, false),
  Mean: (inputs, attrs) => columnReduce(inputs, attrs, true),
};
