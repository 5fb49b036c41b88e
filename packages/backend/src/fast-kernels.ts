import * as tf from '@tensorflow/tfjs-core';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Kernels replaced by {@link useFastKernels}, with the originals to restore. */
const replaced = new Map<string, tf.KernelConfig>();

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
 * Identity that shares the input's data (as the cpu backend's does) instead of copying it: tfjs
 * clones every tensor it saves for the backward pass, and tfjs-wasm 4.22's Identity copies,
 * which in a CNN's training step is about ten copies of its largest activations. Safe because no
 * kernel writes into its inputs; the wasm backend counts references to shared data.
 */
function sharedIdentity(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const backend = args.backend as tf.KernelBackend & { incRef?: (dataId: tf.DataId) => void };
    if (!backend.incRef) return original.kernelFunc(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { ...original, kernelFunc: kernelFunc as tf.KernelFunc };
}

interface HeapBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/**
 * Slice that copies only the slice: tfjs-wasm 4.22's reads its whole input first (`readSync`
 * copies the tensor out of the heap), so taking a batch from a 50 000-image CIFAR-10 tensor cost
 * 2 s. This one copies runs of the last axis straight from a view of the heap.
 */
function heapSlice(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const backend = args.backend as HeapBackend;
    if (x.dtype === 'string' || !backend.typedArrayFromHeap) return original.kernelFunc(args);
    const attrs = args.attrs as { begin: number | number[]; size?: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(
      x as tf.Tensor,
      attrs.begin,
      attrs.size,
    ) as [number[], number[]];
    const out = backend.makeOutput(size, x.dtype);
    const count = tf.util.sizeFromShape(size);
    if (count === 0) return out;
    // Views taken after makeOutput, which may grow (and so replace) the heap.
    const from = backend.typedArrayFromHeap(x);
    const to = backend.typedArrayFromHeap(out);
    const strides = [...tf.util.computeStrides(x.shape), 1];
    const rank = x.shape.length;
    const run = rank === 0 ? 1 : (size[rank - 1] as number);
    const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
    for (let written = 0; written < count; written += run) {
      let offset = rank === 0 ? 0 : (begin[rank - 1] as number);
      for (let d = 0; d < rank - 1; d++) {
        offset += ((begin[d] as number) + (index[d] as number)) * (strides[d] as number);
      }
      to.set(from.subarray(offset, offset + run), written);
      // The next row of the last axis: an odometer over the other axes.
      for (let d = rank - 2; d >= 0; d--) {
        index[d] = (index[d] as number) + 1;
        if ((index[d] as number) < (size[d] as number)) break;
        index[d] = 0;
      }
    }
    return out;
  };
  return { ...original, kernelFunc: kernelFunc as tf.KernelFunc };
}

/** The kernels {@link useFastKernels} wraps, each with its wrapper. */
const wrappers: [kernelName: string, wrap: (original: tf.KernelConfig) => tf.KernelConfig][] = [
  ['BatchMatMul', (original) => withContiguousOperands(original, 'wasm')],
  ['_FusedMatMul', (original) => withContiguousOperands(original, 'wasm')],
  ['Identity', sharedIdentity],
  ['Slice', heapSlice],
];

/**
 * Replaces (or restores) kernels of a tfjs backend with faster equivalents, so stock
 * tfjs-layers training (`model.fit`) gets faster with results equal within float32 rounding.
 * Today: on `wasm`, `BatchMatMul` and `_FusedMatMul` with a transposed operand (every Dense
 * backward pass) transpose into a contiguous buffer first (2–3.5× on whole training runs),
 * `Identity` shares its input's data instead of copying it, and `Slice` copies only the slice
 * (tfjs-wasm's copies its whole input first). Other backends have nothing to replace. Idempotent; takes effect at once, also for a backend that is
 * already running.
 *
 * @param enabled - true installs the fast kernels, false puts the stock ones back
 * @param backendName - the backend to patch; default `wasm`
 * @returns the names of the kernels now replaced on that backend
 */
export function useFastKernels(enabled: boolean, backendName = 'wasm'): string[] {
  if (backendName !== 'wasm') return [];
  for (const [kernelName, wrap] of wrappers) {
    const key = `${backendName}/${kernelName}`;
    const current = tf.getKernel(kernelName, backendName);
    if (!current) continue;
    const original = replaced.get(key);
    if (enabled && !original) {
      tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel(wrap(current));
      replaced.set(key, current);
    } else if (!enabled && original) {
      tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel(original);
      replaced.delete(key);
    }
  }
  return wrappers
    .map(([kernelName]) => kernelName)
    .filter((kernelName) => replaced.has(`${backendName}/${kernelName}`));
}
