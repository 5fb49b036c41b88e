import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './backend-error.js';
import { ConvWasm } from './conv-wasm.js';
import { kernelPlanners } from './kernel-plans.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The part of tfjs-backend-wasm's backend that the kernels use. */
interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/** The kernels {@link useConvKernels} installs, in the order it installs them. */
export const convKernelNames = Object.keys(kernelPlanners);

/** Kernels replaced on wasm: the previous registration (undefined: there was none). */
const replaced = new Map<string, tf.KernelConfig | undefined>();
/**
 * The conv module, created once. Not named `module`: a module runner that wraps code in a function
 * with a `module` parameter (vitest's, for a dependency it inlines) keeps that parameter's value
 * under a top-level `var module`, and the kernels then called `run` on it.
 */
let convWasm: Promise<ConvWasm> | undefined;

function wasmKernel(
  kernelName: string,
  wasm: ConvWasm,
  previous: tf.KernelConfig | undefined,
): tf.KernelConfig {
  const plan = kernelPlanners[kernelName] as (typeof kernelPlanners)[string];
  const kernelFunc = (args: KernelArgs) => {
    const backend = args.backend as WasmBackend;
    const found = plan(args.inputs, args.attrs ?? {});
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
    wasm.run({
      operation: found.operation,
      header: found.header,
      inputs: found.inputs.map((input) => backend.typedArrayFromHeap(input) as Float32Array),
      out: backend.typedArrayFromHeap(out) as Float32Array,
      scratch: found.scratch,
      scalars: found.scalars,
    });
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}

/**
 * Installs (or removes) @actlab/backend's WebAssembly kernels for CNN training on the wasm
 * backend: `Conv2D`, `Conv2DBackpropFilter` and `Conv2DBackpropInput` as im2col onto a SIMD
 * GEMM, blocked so the patch matrix stays in cache; the depthwise gradients
 * `DepthwiseConv2dNativeBackpropFilter` / `…BackpropInput` (which stock tfjs-wasm 4.22 lacks, so
 * depthwise models could not train on it); and `Tile`, `Sum` and `Mean` over all axes but the
 * last, which BatchNormalization's statistics and gradient spend most of a step in. Any stride,
 * dilation, kernel size, channel count and padding that tfjs allows, NHWC; other cases (NCHW,
 * other dtypes, other reduction axes) go to the kernel that was registered before. Results equal
 * the cpu backend's within float32 rounding. Idempotent.
 *
 * @param enabled - true installs the kernels, false restores what was registered before
 * @returns the names of the kernels now replaced
 */
export async function useConvKernels(enabled: boolean): Promise<string[]> {
  if (enabled) {
    convWasm ??= ConvWasm.create();
    const wasm = await convWasm;
    for (const kernelName of convKernelNames) {
      if (replaced.has(kernelName)) continue;
      const previous = tf.getKernel(kernelName, 'wasm');
      if (previous) tf.unregisterKernel(kernelName, 'wasm');
      tf.registerKernel(wasmKernel(kernelName, wasm, previous));
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
