import { denseWasmBase64 } from './dense-wasm-binary.js';

/** Memory the kernels work in: a `WebAssembly.Memory`, or its stand-in for the native kernels. */
export interface KernelMemory {
  readonly buffer: ArrayBuffer;
  /** Adds `pages` of 64 KiB (contents kept; earlier views of `buffer` may detach). */
  grow(pages: number): number;
}

/**
 * The fused trainer's kernels, from wasm/dense.c: the WebAssembly module's exports or the native
 * ones (pointers are byte offsets into `memory`, 0 meaning none).
 */
export interface DenseKernels {
  memory: KernelMemory;
  /** First byte offset free for the caller's buffers. */
  __heap_base: { readonly value: unknown };
  /**
   * Runs the calls still queued (the native kernels queue calls that return nothing and run them
   * in one Node-API call); absent on WebAssembly, where each call runs at once.
   */
  flush?(): void;
  gemm_nn(
    rowCount: number,
    colCount: number,
    innerCount: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    accumulate: number,
  ): void;
  gemm_tn(
    rowCount: number,
    colCount: number,
    innerCount: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    accumulate: number,
  ): void;
  transpose(rowCount: number, colCount: number, source: number, target: number): void;
  bias_activate(
    rowCount: number,
    colCount: number,
    z: number,
    bias: number,
    a: number,
    kind: number,
    alpha: number,
  ): void;
  activation_backward(
    count: number,
    gradient: number,
    z: number,
    a: number,
    kind: number,
    alpha: number,
  ): void;
  column_sums(rowCount: number, colCount: number, gradient: number, out: number): void;
  count_nonzero(count: number, x: number): number;
  sparse_index(
    rowCount: number,
    colCount: number,
    x: number,
    starts: number,
    indices: number,
    values: number,
    colBits: number,
  ): void;
  sparse_product(
    rowCount: number,
    colCount: number,
    innerCount: number,
    starts: number,
    indices: number,
    values: number,
    m: number,
    ldm: number,
    out: number,
    ldo: number,
  ): void;
  sparse_transposed_product(
    rowCount: number,
    colCount: number,
    innerCount: number,
    colBits: number,
    x: number,
    ldx: number,
    m: number,
    ldm: number,
    out: number,
    ldo: number,
  ): void;
  softmax_cross_entropy(
    rowCount: number,
    colCount: number,
    z: number,
    y: number,
    p: number,
    gradient: number,
    scaleRows: number,
  ): number;
  sparse_sgd_update(
    rowCount: number,
    colCount: number,
    innerCount: number,
    colBits: number,
    x: number,
    ldx: number,
    m: number,
    ldm: number,
    w: number,
    ldw: number,
    learningRate: number,
  ): void;
  sgd_update(count: number, w: number, g: number, learningRate: number): void;
  momentum_update(
    count: number,
    w: number,
    g: number,
    accumulation: number,
    learningRate: number,
    momentum: number,
    nesterov: number,
  ): void;
  adam_update(
    count: number,
    w: number,
    g: number,
    m: number,
    v: number,
    learningRate: number,
    beta1: number,
    beta2: number,
    oneMinusBeta1: number,
    oneMinusBeta2: number,
    epsilon: number,
    oneMinusAccBeta1: number,
    oneMinusAccBeta2: number,
  ): void;
  adagrad_update(
    count: number,
    w: number,
    g: number,
    accumulation: number,
    learningRate: number,
    epsilon: number,
  ): void;
  adadelta_update(
    count: number,
    w: number,
    g: number,
    accumulatedGrad: number,
    accumulatedUpdate: number,
    learningRate: number,
    rho: number,
    oneMinusRho: number,
    epsilon: number,
  ): void;
  rmsprop_update(
    count: number,
    w: number,
    g: number,
    meanSquare: number,
    moment: number,
    learningRate: number,
    decay: number,
    oneMinusDecay: number,
    momentum: number,
    epsilon: number,
  ): void;
}

let compiled: Promise<WebAssembly.Module> | undefined;

/** The bytes of a base64 string (atob exists in Node ≥ 16 and browsers; Buffer does not in the latter). */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * A fresh instance of the fused-trainer module with its own memory. The module is compiled once
 * (asynchronously, as browsers require for modules over 4 KB) and instantiated per trainer.
 */
export async function instantiateDenseKernels(): Promise<DenseKernels> {
  compiled ??= WebAssembly.compile(decodeBase64(denseWasmBase64) as Uint8Array<ArrayBuffer>);
  const instance = await WebAssembly.instantiate(await compiled, {});
  return instance.exports as unknown as DenseKernels;
}
