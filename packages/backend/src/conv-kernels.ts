import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './backend-error.js';
import { type ConvRunner, ConvWasm } from './conv-wasm.js';
import { type DenseKernelsRequest, resolveDenseKernels } from './dense-kernels.js';
import { ensureFusedGradients, useFusedGradients } from './fused-gradients.js';
import { kernelPlanners } from './kernel-plans.js';
import { probeNativeKernels } from './native-kernels.js';

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
/** The kernels installed now run on this. */
let installed: ConvRunner | undefined;
/**
 * The conv module, created once. Not named `module`: a module runner that wraps code in a function
 * with a `module` parameter (vitest's, for a dependency it inlines) keeps that parameter's value
 * under a top-level `var module`, and the kernels then called `run` on it.
 */
let convWasm: Promise<ConvWasm> | undefined;

function wasmKernel(
  kernelName: string,
  runner: ConvRunner,
  previous: tf.KernelConfig | undefined,
): tf.KernelConfig {
  const plan = kernelPlanners[kernelName] as (typeof kernelPlanners)[string];
  const forward = kernelName === 'Conv2D' || kernelName === 'FusedConv2D';
  const kernelFunc = (args: KernelArgs) => {
    if (forward) ensureFusedGradients();
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
    const outputs = found.outShapes.map((shape) => backend.makeOutput(shape, 'float32'));
    runner.run({
      operation: found.operation,
      header: found.header,
      inputs: found.inputs.map((input) => backend.typedArrayFromHeap(input) as Float32Array),
      outputs: outputs.map((out) => backend.typedArrayFromHeap(out) as Float32Array),
      scratch: found.scratch,
      scalars: found.scalars,
    });
    return outputs.length === 1 ? outputs[0] : outputs;
  };
  // The previous kernel's setup binds its wasm functions when the backend starts: kept, so that
  // the fallback works when these are installed before the wasm backend initializes.
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: kernelFunc as tf.KernelFunc,
    setupFunc: previous?.setupFunc,
    disposeFunc: previous?.disposeFunc,
  };
}

/** The native build of the kernels when {@link resolveDenseKernels} picks native, else wasm. */
async function chooseRunner(request: DenseKernelsRequest): Promise<ConvRunner> {
  // Probe only once native is chosen: with 'wasm' or ACTLAB_NATIVE=0 the addon is never loaded.
  if (resolveDenseKernels(request, 'conv').name === 'native') {
    const probe = probeNativeKernels();
    if (probe.available && probe.conv) return probe.conv();
  }
  convWasm ??= ConvWasm.create();
  return convWasm;
}

/**
 * Installs (or removes) @actlab/backend's kernels for CNN training on the wasm backend: `Conv2D`,
 * `FusedConv2D`, `Conv2DBackpropFilter` and `Conv2DBackpropInput` as im2col onto a SIMD GEMM,
 * blocked so the patch matrix stays in cache; the depthwise gradients
 * `DepthwiseConv2dNativeBackpropFilter` / `…BackpropInput` (which stock tfjs-wasm 4.22 lacks, so
 * depthwise models could not train on it); `MaxPoolGrad`; and `Tile`, `Sum` and `Mean` over all
 * axes but the last, which BatchNormalization's statistics and gradient spend most of a step in.
 * It also replaces tfjs's gradients of `Relu`, `LeakyRelu` and `FusedBatchNorm` (3 to 14
 * elementwise ops over the whole activation) with one kernel call each on wasm; on other
 * backends those gradients stay tfjs's own. Any stride, dilation, kernel size, channel count and
 * padding that tfjs allows, NHWC; other cases (NCHW, other dtypes, other reduction axes) go to
 * the kernel that was registered before. Results equal the cpu backend's within float32
 * rounding. Idempotent.
 *
 * The kernels run as WebAssembly, or in Node as the same C built natively (AVX2 + FMA, with an
 * AVX-512 GEMM where the CPU has it, from the optional `@actlab/backend-<platform>` package),
 * chosen as for the fused Dense trainers: `auto` takes the native build when it loads, unless
 * the environment sets `ACTLAB_NATIVE=0`.
 *
 * @param enabled - true installs the kernels, false restores what was registered before
 * @param kernels - `auto` (default), `native` (throws when the native build cannot load) or
 *   `wasm`
 * @returns the names of the kernels now replaced
 * @throws {@link BackendError} `BACKEND_UNAVAILABLE` when `native` is asked for and cannot load
 */
export async function useConvKernels(
  enabled: boolean,
  kernels: DenseKernelsRequest = 'auto',
): Promise<string[]> {
  if (enabled) {
    const runner = await chooseRunner(kernels);
    if (installed && installed.name !== runner.name) {
      // Another build of the same kernels: swap them, keeping what was registered before.
      for (const [kernelName, previous] of replaced) {
        tf.unregisterKernel(kernelName, 'wasm');
        tf.registerKernel(wasmKernel(kernelName, runner, previous));
      }
    }
    installed = runner;
    for (const kernelName of convKernelNames) {
      if (replaced.has(kernelName)) continue;
      const previous = tf.getKernel(kernelName, 'wasm');
      if (previous) tf.unregisterKernel(kernelName, 'wasm');
      tf.registerKernel(wasmKernel(kernelName, runner, previous));
      replaced.set(kernelName, previous);
    }
    useFusedGradients(true);
  } else {
    useFusedGradients(false);
    for (const [kernelName, previous] of replaced) {
      tf.unregisterKernel(kernelName, 'wasm');
      if (previous) tf.registerKernel(previous);
      replaced.delete(kernelName);
    }
    installed = undefined;
  }
  return [...replaced.keys()];
}

/**
 * Which build runs the kernels {@link useConvKernels} installed: `native`, `wasm`, or undefined
 * when none are installed.
 */
export function convKernelsInUse(): 'native' | 'wasm' | undefined {
  return installed?.name;
}
