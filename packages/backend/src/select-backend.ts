import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './backend-error.js';
import {
  type DenseKernelsRequest,
  resolveDenseKernels,
  setDefaultDenseKernels,
} from './dense-kernels.js';
import { useFastKernels } from './fast-kernels.js';
import { registerWasmConv2DBackpropFilter } from './wasm-conv-gradient.js';

/** What {@link selectBackend} may be asked for. */
export type BackendRequest = 'auto' | 'node' | 'wasm' | 'cpu';

/** The backend {@link selectBackend} started, and why. */
export interface BackendChoice {
  /** tfjs's name of the backend now active: `tensorflow`, `wasm` or `cpu`. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** Whether WebAssembly SIMD is in use (wasm only; null elsewhere). */
  simd: boolean | null;
  /** Threads the backend computes with (1 for wasm in Node and for cpu). */
  threads: number;
  /** Version of the backend package (tfjs-core's for cpu). */
  version: string;
  /** Kernels replaced by faster ones (see {@link useFastKernels}). */
  fastKernels: string[];
  /**
   * The kernels fused Dense trainers (`createDenseTrainer`) will run on: `native` (AVX2 + FMA
   * through Node-API, from the optional `@actlab/backend-<platform>` package) or `wasm`.
   */
  denseKernels: 'native' | 'wasm';
  /** Why this backend and these dense kernels: what was tried before and what failed. */
  reason: string;
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Install the faster kernels on the chosen backend. Default true. */
  fastKernels?: boolean;
  /**
   * Kernels of the fused Dense trainers created afterwards: `auto` (default; native when they
   * load, unless the environment sets `ACTLAB_NATIVE=0`), `native` (throws when they cannot
   * load) or `wasm`.
   */
  denseKernels?: DenseKernelsRequest;
}

const requests: BackendRequest[] = ['auto', 'node', 'wasm', 'cpu'];

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

// A specifier held in a variable, so bundlers do not try to resolve the optional native package.
const nodeBackendPackage = '@tensorflow/tfjs-node';

type Started = Omit<BackendChoice, 'reason' | 'fastKernels' | 'denseKernels'>;

async function startNode(): Promise<Started> {
  const module = (await import(/* @vite-ignore */ nodeBackendPackage)) as {
    version?: { 'tfjs-node'?: string };
  };
  if (!(await tf.setBackend('tensorflow')))
    throw new Error('tf.setBackend("tensorflow") returned false');
  await tf.ready();
  return {
    name: 'tensorflow',
    simd: null,
    threads: 0,
    version: module.version?.['tfjs-node'] ?? 'unknown',
  };
}

async function startWasm(): Promise<Started> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
  await tf.ready();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { name: 'wasm', simd, threads: wasm.getThreadsCount(), version: wasm.version_wasm };
}

async function startCpu(): Promise<Started> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
  await tf.ready();
  return { name: 'cpu', simd: null, threads: 1, version: tf.version_core };
}

const starters = { node: startNode, wasm: startWasm, cpu: startCpu } as const;

/**
 * Starts the fastest tfjs backend available and installs the faster kernels on it, so that
 * stock tfjs-layers training afterwards runs faster. `auto` tries, in order, tfjs-node (when
 * installed: it is detected with a dynamic import that may fail), WebAssembly (SIMD when the
 * engine supports it), then the plain JavaScript CPU backend.
 *
 * @param request - `auto` (default), or one backend to start without fallback
 * It also decides which kernels fused Dense trainers run on (native AVX2 ones when their
 * package is installed and the CPU has AVX2 and FMA, WebAssembly otherwise) and says so.
 *
 * @param request - `auto` (default), or one backend to start without fallback
 * @param options - `fastKernels: false` leaves the stock kernels in place; `denseKernels`
 * @returns what was chosen: name, SIMD, threads, version, replaced kernels, dense kernels, why
 * @throws {@link BackendError} `UNKNOWN_BACKEND` for another name; `BACKEND_UNAVAILABLE` when
 *   the requested backend (or, for `auto`, every backend) cannot start, or when
 *   `denseKernels: 'native'` cannot load
 */
export async function selectBackend(
  request: BackendRequest = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendChoice> {
  if (!requests.includes(request)) {
    throw new BackendError({
      code: 'UNKNOWN_BACKEND',
      message: `unknown backend "${String(request)}"; expected one of ${requests.join(', ')}.`,
    });
  }
  // Throws for an unavailable 'native' before the default changes or a backend starts.
  const dense = resolveDenseKernels(options.denseKernels ?? 'auto');
  setDefaultDenseKernels(options.denseKernels ?? 'auto');
  const order: Exclude<BackendRequest, 'auto'>[] =
    request === 'auto' ? ['node', 'wasm', 'cpu'] : [request];
  const failures: string[] = [];
  for (const candidate of order) {
    try {
      const started = await starters[candidate]();
      const fastKernels = useFastKernels(options.fastKernels !== false, started.name);
      // A kernel stock wasm lacks altogether, not a faster one: Conv2D models cannot train without it.
      if (started.name === 'wasm') registerWasmConv2DBackpropFilter();
      const chosen = request === 'auto' ? `auto chose ${candidate}` : `${candidate} was requested`;
      const simd = started.simd === null ? '' : started.simd ? ' with SIMD' : ' without SIMD';
      const reason = [...failures, `${chosen}${simd}`, dense.reason].join('; ');
      return { ...started, fastKernels, denseKernels: dense.name, reason };
    } catch (error) {
      failures.push(`${candidate} unavailable (${message(error)})`);
    }
  }
  throw new BackendError({
    code: 'BACKEND_UNAVAILABLE',
    message: `no tfjs backend could start for "${request}": ${failures.join('; ')}. Install @tensorflow/tfjs-backend-wasm or @tensorflow/tfjs-backend-cpu.`,
  });
}
