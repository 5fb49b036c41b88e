import * as tf from '@tensorflow/tfjs-core';
import type { ConvOperation } from './conv-wasm.js';

/** Our kernel for LeakyRelu's (and Relu's) gradient: inputs dy and x, attribute alpha. */
export const leakyReluGradName = 'ActlabLeakyReluGrad';
/**
 * Our kernel for FusedBatchNorm's gradients with per-channel statistics: inputs x, mean,
 * variance, scale and dy, attribute varianceEpsilon; outputs dx, dMean, dVariance, dScale,
 * dOffset.
 */
export const batchNormGradName = 'ActlabBatchNormGrad';
/** Our kernel for Mean's gradient over every axis but the last: input dy, attribute shape (x's). */
export const meanGradName = 'ActlabMeanGrad';

/** What one kernel call computes in wasm/conv.c; planners return undefined for stock cases. */
export interface KernelPlan {
  operation: ConvOperation;
  header: number[];
  inputs: tf.TensorInfo[];
  /** The shapes of the outputs (float32), in the C signature's order. */
  outShapes: number[][];
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
    outShapes: [outShape ?? [info.batchSize, info.outHeight, info.outWidth, info.outChannels]],
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
  if (!allButLast(axes, rank)) return undefined;
  const cols = x.shape[rank - 1] as number;
  const rows = tf.util.sizeFromShape(x.shape) / Math.max(cols, 1);
  if (rows === 0) return undefined;
  return {
    operation: 'column_reduce' as const,
    header: [rows, cols],
    inputs: [x],
    outShapes: [attrs.keepDims ? [...Array(rank - 1).fill(1), cols] : [cols]],
    scalars: [mean ? 1 / rows : 1],
  };
}

/** Whether `axes` of a rank-`rank` tensor are every axis but the last. */
export function allButLast(axes: number[], rank: number): boolean {
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  return rank >= 2 && sorted.length === rank - 1 && sorted.every((axis, i) => axis === i);
}

/** Whether a BatchNorm statistic holds one value per channel (a vector of `channels`). */
const perChannelOf = (channels: number) => (t: tf.TensorInfo | undefined) =>
  t !== undefined && t.shape.length === 1 && t.shape[0] === channels;

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
      outShapes: [outShape],
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
      outShapes: [input.shape],
    };
  },
  Sum: (inputs, attrs) => columnReduce(inputs, attrs, false),
  Mean: (inputs, attrs) => columnReduce(inputs, attrs, true),
  LeakyRelu: ({ x }, attrs) =>
    x && {
      operation: 'leaky_relu',
      header: [tf.util.sizeFromShape(x.shape)],
      inputs: [x],
      outShapes: [x.shape],
      scalars: [attrs.alpha as number],
    },
  FusedBatchNorm: ({ x, mean, variance, offset, scale }, attrs) => {
    const channels = x?.shape.at(-1) ?? 0;
    const perChannel = perChannelOf(channels);
    if (!x || x.shape.length < 2 || !perChannel(mean) || !perChannel(variance)) return undefined;
    if ((offset && !perChannel(offset)) || (scale && !perChannel(scale))) return undefined;
    return {
      operation: 'batchnorm_forward',
      header: [
        tf.util.sizeFromShape(x.shape) / Math.max(channels, 1),
        channels,
        offset ? 1 : 0,
        scale ? 1 : 0,
      ],
      // A missing offset or scale still needs an array: the mean stands in, unread.
      inputs: [x, mean, variance, offset ?? mean, scale ?? mean] as tf.TensorInfo[],
      outShapes: [x.shape],
      scratch: [2 * channels],
      scalars: [(attrs.varianceEpsilon as number | undefined) ?? 0.001],
    };
  },
  // The gradients of fused-gradients.ts, kernels of ours (no stock kernel to fall back on).
  [meanGradName]: ({ dy }, attrs) => {
    const shape = attrs.shape as number[];
    const cols = shape.at(-1) ?? 0;
    if (!dy || shape.length < 2 || tf.util.sizeFromShape(dy.shape) !== cols) return undefined;
    const rows = tf.util.sizeFromShape(shape) / Math.max(cols, 1);
    if (rows === 0) return undefined;
    return {
      operation: 'broadcast_rows',
      header: [rows, cols],
      inputs: [dy],
      outShapes: [shape],
      scalars: [rows],
    };
  },
  [leakyReluGradName]: ({ dy, x }, attrs) => {
    if (!dy || !x || !tf.util.arraysEqual(dy.shape, x.shape)) return undefined;
    return {
      operation: 'leaky_relu_backprop',
      header: [tf.util.sizeFromShape(x.shape)],
      inputs: [dy, x],
      outShapes: [x.shape],
      scalars: [attrs.alpha as number],
    };
  },
  [batchNormGradName]: ({ x, mean, variance, scale, dy }, attrs) => {
    const channels = x?.shape.at(-1) ?? 0;
    if (!x || !dy || x.shape.length < 2 || !tf.util.arraysEqual(dy.shape, x.shape))
      return undefined;
    const perChannel = perChannelOf(channels);
    if (!perChannel(mean) || !perChannel(variance) || !perChannel(scale)) return undefined;
    return {
      operation: 'batchnorm_backprop',
      header: [tf.util.sizeFromShape(x.shape) / Math.max(channels, 1), channels],
      inputs: [x, mean, variance, scale, dy] as tf.TensorInfo[],
      outShapes: [x.shape, ...Array(4).fill([channels])],
      scratch: [4 * channels],
      scalars: [attrs.varianceEpsilon as number],
    };
  },
};
