import type { ConvCall, ConvRunner } from './conv-wasm.js';
import type { DenseKernels, KernelMemory } from './dense-wasm.js';

/**
 * The GEMM micro-kernel of the native kernels: `avx512` (12×32, AVX-512F) or `avx2` (6×16,
 * AVX2 + FMA). Both give the same results bit for bit.
 */
export type NativeGemm = 'avx512' | 'avx2';

/** What {@link probeNativeKernels} found: the native kernels, or why there are none. */
export type NativeProbe =
  | {
      available: true;
      packageName: string;
      /** The GEMM kernels this CPU runs, best first. */
      gemmKernels: NativeGemm[];
      /**
       * Fresh kernels with their own memory, on the given GEMM kernel (default:
       * {@link nativeGemmChoice}'s).
       */
      create(gemm?: NativeGemm): DenseKernels;
      /**
       * The CNN kernels of `useConvKernels` on the given GEMM kernel (default:
       * {@link nativeGemmChoice}'s); undefined when the package predates them.
       */
      conv?: (gemm?: NativeGemm) => ConvRunner;
    }
  | { available: false; reason: string };

interface NativeAddon {
  /** The GEMM kernels this CPU runs, best first. */
  gemmKernels: NativeGemm[];
  bind(
    memory: ArrayBuffer,
    gemm?: NativeGemm,
  ): {
    /** Runs `length` values of [code, ...arguments] calls; the last returned value (the loss). */
    run(program: Float64Array, length: number): number;
    rebind(memory: ArrayBuffer): void;
    /** Kernel names and argument counts, by code. */
    operations: [name: string, argumentCount: number][];
  };
  /**
   * Runs one wasm/conv.c kernel in place on the arrays (inputs, then outputs), after checking
   * their lengths against the header's geometry.
   */
  conv?: (
    code: number,
    avx512: boolean,
    header: Int32Array,
    arrays: Float32Array[],
    scalars: number[],
  ) => void;
  /** The conv kernels by code: name, header ints, input arrays, output arrays, scalars. */
  convOperations?: [
    name: string,
    header: number,
    inputs: number,
    outputs: number,
    scalars: number,
  ][];
}

// Kernels whose result the caller needs at once: they run the queue up to and including them.
const returningValues = new Set(['softmax_cross_entropy', 'count_nonzero']);

const pageBytes = 65536;
// Offset 0 stands for "no buffer" (a null pointer), as in the WebAssembly module.
const heapBase = 64;

/** The `@actlab/backend-<platform>` package for this process, or why there is none. */
function platformPackage(): { name: string } | { reason: string } {
  const { platform, arch } = process;
  let libc = '';
  if (platform === 'linux') {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })
      ?.header;
    libc = header?.glibcVersionRuntime ? '-gnu' : '-musl';
  }
  const name = `@actlab/backend-${platform}-${arch}${libc}`;
  // Built and tested here so far; the build script and package layout serve further platforms.
  const published = ['@actlab/backend-linux-x64-gnu'];
  return published.includes(name)
    ? { name }
    : { reason: `no native kernels are built for ${platform}-${arch}${libc}` };
}

function load(name: string): NativeAddon {
  const { createRequire } = process.getBuiltinModule('node:module');
  return createRequire(import.meta.url)(name) as NativeAddon;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/** Memory for the native kernels with the growth rule of `WebAssembly.Memory`. */
class NativeMemory implements KernelMemory {
  buffer = new ArrayBuffer(16 * pageBytes);
  beforeGrow: () => void = () => {};
  onGrow: (buffer: ArrayBuffer) => void = () => {};

  grow(pages: number): number {
    this.beforeGrow();
    const before = this.buffer.byteLength / pageBytes;
    const larger = new ArrayBuffer(this.buffer.byteLength + pages * pageBytes);
    new Uint8Array(larger).set(new Uint8Array(this.buffer));
    this.buffer = larger;
    this.onGrow(larger);
    return before;
  }
}

let probed: NativeProbe | undefined;

/**
 * Looks for the native (AVX2 + FMA, with an AVX-512 GEMM where the CPU has AVX-512F) kernels of
 * the fused trainer once per process: Node.js, a platform with a built package, the package
 * installed (an optional dependency), and a CPU with AVX2 and FMA (checked by the addon as it
 * loads).
 */
export function probeNativeKernels(): NativeProbe {
  probed ??= probe();
  return probed;
}

function probe(): NativeProbe {
  if (typeof process === 'undefined' || typeof process.getBuiltinModule !== 'function') {
    return { available: false, reason: 'not running in Node.js ≥ 20.16' };
  }
  const target = platformPackage();
  if ('reason' in target) return { available: false, reason: target.reason };
  let addon: NativeAddon;
  try {
    addon = load(target.name);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === 'MODULE_NOT_FOUND'
        ? `${target.name} is not installed`
        : `${target.name} did not load (${firstLine(error)})`;
    return { available: false, reason };
  }
  const gemmKernels = addon.gemmKernels ?? ['avx2'];
  return {
    available: true,
    packageName: target.name,
    gemmKernels,
    create: (gemm) => queuedKernels(addon, gemm ?? nativeGemmChoice(gemmKernels).gemm),
    conv: addon.conv
      ? (gemm) => nativeConv(addon, gemm ?? nativeGemmChoice(gemmKernels).gemm)
      : undefined,
  };
}

/** The conv kernels of the addon behind {@link ConvRunner}: one Node-API call per kernel. */
function nativeConv(addon: NativeAddon, gemm: NativeGemm): ConvRunner {
  const codes = new Map((addon.convOperations ?? []).map(([name], code) => [name, code]));
  const avx512 = gemm === 'avx512';
  return {
    name: 'native',
    run(call: ConvCall) {
      const code = codes.get(call.operation);
      if (code === undefined || !addon.conv) {
        throw new Error(`the native kernels lack ${call.operation}`);
      }
      addon.conv(
        code,
        avx512,
        Int32Array.from(call.header),
        [...call.inputs, ...call.outputs],
        call.scalars ?? [],
      );
    },
  };
}

/**
 * The GEMM kernel native kernels created now use, and why: the best the CPU runs, or AVX2 when
 * the environment sets `ACTLAB_NATIVE_GEMM=avx2` (to compare the two, or to rule one out).
 */
export function nativeGemmChoice(gemmKernels: NativeGemm[]): { gemm: NativeGemm; why: string } {
  const forced = typeof process !== 'undefined' ? process.env?.ACTLAB_NATIVE_GEMM : undefined;
  if (forced === 'avx2') return { gemm: 'avx2', why: 'AVX2 GEMM: ACTLAB_NATIVE_GEMM=avx2' };
  if (gemmKernels.includes('avx512')) return { gemm: 'avx512', why: 'AVX-512 GEMM' };
  return { gemm: 'avx2', why: 'AVX2 GEMM: the CPU lacks AVX-512F' };
}

/**
 * The native kernels behind the {@link DenseKernels} interface. A Node-API call costs ~0.3 µs
 * and a Dense layer's training step makes ~9 kernel calls, which on deep narrow stacks would
 * outweigh the work, so calls are queued as a program and run together: when a kernel returns
 * a value (the loss), at `flush()` (the trainer's end of step) and before memory grows.
 */
function queuedKernels(addon: NativeAddon, gemm: NativeGemm): DenseKernels {
  const memory = new NativeMemory();
  const bound = addon.bind(memory.buffer, gemm);
  let program = new Float64Array(4096);
  let length = 0;
  const flush = (): number => {
    if (length === 0) return 0;
    const result = bound.run(program, length);
    length = 0;
    return result;
  };
  memory.beforeGrow = flush;
  memory.onGrow = (buffer) => bound.rebind(buffer);
  const kernels: Record<string, unknown> = { memory, __heap_base: { value: heapBase }, flush };
  bound.operations.forEach(([name, argumentCount], code) => {
    const returnsValue = returningValues.has(name);
    kernels[name] = (...args: number[]) => {
      if (length + 1 + argumentCount > program.length) {
        const larger = new Float64Array(program.length * 2);
        larger.set(program.subarray(0, length));
        program = larger;
      }
      program[length++] = code;
      for (let i = 0; i < argumentCount; i++) program[length++] = args[i] ?? 0;
      return returnsValue ? flush() : undefined;
    };
  });
  return kernels as unknown as DenseKernels;
}
