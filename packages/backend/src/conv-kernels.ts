import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './backend-error.js';
import { type ConvGeometry, type ConvOperation, ConvWasm } from './conv-wasm.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The part of tfjs-backend-wasm's backend that the conv kernels use. */
interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/** What one kernel call computes, or undefined when the case is not covered (stock kernel). */
interface ConvPlan {
  operation: ConvOperation;
  geometry: ConvGeometry;
  inputs: tf.TensorInfo[];
  outShape: number[];
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

function geometry(
  xShape: Shape4,
  filterShape: Shape4,
  attrs: ConvAttrs,
  depthwise: boolean,
): ConvGeometry | undefined {
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

const outShapeOf = (g: ConvGeometry): number[] => [g.batch, g.outHeight, g.outWidth, g.outChannels];

/** Each kernel: how to read its inputs and attributes into a plan for wasm/conv.c. */
const planners: Record<
  string,
  (inputs: tf.NamedTensorInfoMap, attrs: ConvAttrs) => ConvPlan | undefined
> = {
  Conv2D: ({ x, filter }, attrs) => {
    const g = x && filter && geometry(x.shape as Shape4, filter.shape as Shape4, attrs, false);
    return (
      g && {
        operation: 'conv2d_forward',
        geometry: g,
        inputs: [x, filter] as tf.TensorInfo[],
        outShape: outShapeOf(g),
      }
    );
  },
  Conv2DBackpropFilter: ({ x, dy }, attrs) => {
    const g =
      x && dy && attrs.filterShape && geometry(x.shape as Shape4, attrs.filterShape, attrs, false);
    return (
      g && {
        operation: 'conv2d_backprop_filter',
        geometry: g,
        inputs: [x, dy] as tf.TensorInfo[],
        outShape: attrs.filterShape as number[],
      }
    );
  },
  Conv2DBackpropInput: ({ dy, filter }, attrs) => {
    const g =
      dy &&
      filter &&
      attrs.inputShape &&
      geometry(attrs.inputShape, filter.shape as Shape4, attrs, false);
    return (
      g && {
        operation: 'conv2d_backprop_input',
        geometry: g,
        inputs: [dy, filter] as tf.TensorInfo[],
        outShape: attrs.inputShape as number[],
      }
    );
  },
  DepthwiseConv2dNativeBackpropFilter: ({ x, dy }, attrs) => {
    const g =
      x && dy && attrs.filterShape && geometry(x.shape as Shape4, attrs.filterShape, attrs, true);
    return (
      g && {
        operation: 'depthwise_backprop_filter',
        geometry: g,
        inputs: [x, dy] as tf.TensorInfo[],
        outShape: attrs.filterShape as number[],
      }
    );
  },
  DepthwiseConv2dNativeBackpropInput: ({ dy, filter }, attrs) => {
    const g =
      dy &&
      filter &&
      attrs.inputShape &&
      geometry(attrs.inputShape, filter.shape as Shape4, attrs, true);
    return (
      g && {
        operation: 'depthwise_backprop_input',
        geometry: g,
        inputs: [dy, filter] as tf.TensorInfo[],
        outShape: attrs.inputShape as number[],
      }
    );
  },
};

/** The kernels {@link useConvKernels} installs, in the order it installs them. */
export const convKernelNames = Object.keys(planners);

/** Kernels replaced on wasm: the previous registration (undefined: there was none). */
const replaced = new Map<string, tf.KernelConfig | undefined>();
let module: Promise<ConvWasm> | undefined;

function convKernel(
  kernelName: string,
  wasm: ConvWasm,
  previous: tf.KernelConfig | undefined,
): tf.KernelConfig {
  const plan = planners[kernelName] as (typeof planners)[string];
  const kernelFunc = (args: KernelArgs) => {
    const backend = args.backend as WasmBackend;
    const found = plan(args.inputs, args.attrs as unknown as ConvAttrs);
    if (!found || found.inputs.some((input) => input.dtype !== 'float32')) {
      if (!previous) {
        throw new BackendError({
          code: 'INVALID_OPTION',
          message: `the wasm ${kernelName} kernel takes float32 NHWC tensors only; transpose to NHWC or train on the cpu backend`,
        });
      }
      return previous.kernelFunc(args);
    }
    const out = backend.makeOutput(found.outShape, 'float32');
    const arrays = found.inputs.map((input) => backend.typedArrayFromHeap(input) as Float32Array);
    wasm.run(
      found.operation,
      found.geometry,
      arrays,
      backend.typedArrayFromHeap(out) as Float32Array,
    );
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}

/**
 * Installs (or removes) @actlab/backend's WebAssembly convolution kernels on the wasm backend:
 * `Conv2D`, `Conv2DBackpropFilter` and `Conv2DBackpropInput` as im2col onto a SIMD GEMM, blocked
 * so the patch matrix stays in cache, and the depthwise gradients
 * `DepthwiseConv2dNativeBackpropFilter` / `…BackpropInput` (which stock tfjs-wasm 4.22 lacks, so
 * depthwise models could not train on it). Any stride, dilation, kernel size, channel count and
 * padding that tfjs allows, NHWC; other cases (NCHW, non-float32) go to the kernel that was
 * registered before. Results equal the cpu backend's within float32 rounding. Idempotent.
 *
 * @param enabled - true installs the kernels, false restores what was registered before
 * @returns the names of the kernels now replaced
 */
export async function useConvKernels(enabled: boolean): Promise<string[]> {
  if (enabled) {
    module ??= ConvWasm.create();
    const wasm = await module;
    for (const kernelName of convKernelNames) {
      if (replaced.has(kernelName)) continue;
      const previous = tf.getKernel(kernelName, 'wasm');
      if (previous) tf.unregisterKernel(kernelName, 'wasm');
      tf.registerKernel(convKernel(kernelName, wasm, previous));
      replaced.set(kernelName, previous);
    }
  } else {
    for (const [kernelName, previous] of replaced) {
      tf.unregisterKernel(kernelName, 'wasm');
      if (previous) tf.registerKernel(previous);
      replaced.delete(kernelName);
    }
  }
  return [...replaced.keys()];
}
