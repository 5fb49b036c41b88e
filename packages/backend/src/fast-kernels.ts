import * as tf from '@tensorflow/tfjs-core';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Kernels replaced by {@link useFastKernels}, with the originals to restore. */
const replaced = new Map<string, tf.KernelConfig>();

const matMulKernels = ['BatchMatMul', '_FusedMatMul'];

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, axis) => axis);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/**
 * Wraps a matmul kernel so that a transposed operand is first copied into a contiguous buffer:
 * the wasm backend's matmul reads transposed operands with a stride, 10–20× slower than a plain
 * product, while a transpose costs O(n²) against the product's O(n³).
 */
function withContiguousOperands(original: tf.KernelConfig, backendName: string): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { inputs, attrs } = args;
    const backend = args.backend as tf.KernelBackend;
    const { transposeA, transposeB } = (attrs ?? {}) as {
      transposeA?: boolean;
      transposeB?: boolean;
    };
    if (!transposeA && !transposeB) return original.kernelFunc(args);
    const transpose = tf.getKernel('Transpose', backendName)?.kernelFunc;
    if (!transpose) return original.kernelFunc(args);
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const contiguous = (x: tf.TensorInfo) =>
      transpose({
        inputs: { x },
        backend,
        attrs: { perm: swapLastTwo(x.shape.length) },
      }) as tf.TensorInfo;
    const plainA = transposeA ? contiguous(a) : a;
    const plainB = transposeB ? contiguous(b) : b;
    try {
      return original.kernelFunc({
        inputs: { ...inputs, a: plainA, b: plainB },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      if (plainA !== a) backend.disposeData(plainA.dataId);
      if (plainB !== b) backend.disposeData(plainB.dataId);
    }
  };
  return { ...original, kernelFunc: kernelFunc as tf.KernelFunc };
}

/**
 * Replaces (or restores) kernels of a tfjs backend with faster equivalents, so stock
 * tfjs-layers training (`model.fit`) gets faster with results equal within float32 rounding.
 * Today: on `wasm`, `BatchMatMul` and `_FusedMatMul` with a transposed operand (every Dense
 * backward pass) transpose into a contiguous buffer first; 2–3.5× on whole training runs. Other
 * backends have nothing to replace. Idempotent; takes effect at once, also for a backend that is
 * already running.
 *
 * @param enabled - true installs the fast kernels, false puts the stock ones back
 * @param backendName - the backend to patch; default `wasm`
 * @returns the names of the kernels now replaced on that backend
 */
export function useFastKernels(enabled: boolean, backendName = 'wasm'): string[] {
  if (backendName !== 'wasm') return [];
  for (const kernelName of matMulKernels) {
    const key = `${backendName}/${kernelName}`;
    const current = tf.getKernel(kernelName, backendName);
    if (!current) continue;
    const original = replaced.get(key);
    if (enabled && !original) {
      tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel(withContiguousOperands(current, backendName));
      replaced.set(key, current);
    } else if (!enabled && original) {
      tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel(original);
      replaced.delete(key);
    }
  }
  return matMulKernels.filter((kernelName) => replaced.has(`${backendName}/${kernelName}`));
}
