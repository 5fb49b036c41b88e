import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './backend-error.js';
import { convKernelsInUse, useConvKernels } from './conv-kernels.js';
import {
  type DenseKernelsRequest,
  resolveDenseKernels,
  setDefaultDenseKernels,
} from './dense-kernels.js';
import { useFastKernels } from './fast-kernels.js';
import { registerWasmConv2DBackpropFilter } from './wasm-conv-gradient.js';
import { diagnoseWasmFetch, type WasmPaths } from './wasm-fetch-diagnosis.js';

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
  /**
   * What runs the CNN kernels of `useConvKernels` on the wasm backend: the same `native` or
   * `wasm` choice as `denseKernels`; null on other backends or with `fastKernels: false`.
   */
  convKernels: 'native' | 'wasm' | null;
  /** Why this backend and these dense kernels: what was tried before and what failed. */
  reason: string;
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Install the faster kernels on the chosen backend. Default true. */
  fastKernels?: boolean;
  /**
   * Where tfjs-backend-wasm's `.wasm` binaries are, passed to its `setWasmPaths` before the wasm
   * backend starts: a folder URL ending in `/`, or a map from each binary's name
   * (`tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`,
   * `tfjs-backend-wasm-threaded-simd.wasm`) to its URL, such as the URLs a bundler gives for
   * `?url` imports. Not needed in Node.
   */
  wasmPaths?: WasmPaths;
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

/**
 * A backend that cannot be used here, its package not installed or tfjs-node outside Node (as
 * opposed to one that is installed but did not start).
 */
class NotAvailableHere extends Error {}

async function importBackend<T>(load: () => Promise<T>, packageName: string): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    throw new NotAvailableHere(`${packageName} is not installed (${message(cause)})`);
  }
}

const inNode = typeof process !== 'undefined' && Boolean(process.versions?.node);

// A specifier held in a variable, so bundlers do not try to resolve the optional native package.
const nodeBackendPackage = '@tensorflow/tfjs-node';

type Started = Omit<BackendChoice, 'reason' | 'fastKernels' | 'denseKernels' | 'convKernels'>;

async function startNode(): Promise<Started> {
  if (!inNode) throw new NotAvailableHere('tfjs-node runs only in Node');
  const module = (await importBackend(
    () => import(/* @vite-ignore */ nodeBackendPackage),
    nodeBackendPackage,
  )) as { version?: { 'tfjs-node'?: string } };
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

async function startWasm(options: SelectBackendOptions): Promise<Started> {
  const wasm = await importBackend(
    () => import('@tensorflow/tfjs-backend-wasm'),
    '@tensorflow/tfjs-backend-wasm',
  );
  // tfjs-backend-wasm throws if the paths are set after it started once (or failed to).
  if (options.wasmPaths !== undefined && !tf.engine().registry.wasm) {
    wasm.setWasmPaths(options.wasmPaths);
  }
  if (!(await tf.setBackend('wasm'))) {
    // tfjs only logs why; in a page the usual cause is a .wasm file the bundler did not copy.
    const cause = await diagnoseWasmFetch(options.wasmPaths);
    throw new Error(
      `the wasm backend did not start: ${cause ?? 'tf.setBackend("wasm") returned false (tfjs printed why above)'}; reload the page (or restart the process) to try again, since tfjs-backend-wasm does not retry`,
    );
  }
  await tf.ready();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { name: 'wasm', simd, threads: wasm.getThreadsCount(), version: wasm.version_wasm };
}

async function startCpu(): Promise<Started> {
  await importBackend(() => import('@tensorflow/tfjs-backend-cpu'), '@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
  await tf.ready();
  return { name: 'cpu', simd: null, threads: 1, version: tf.version_core };
}

const starters: Record<
  Exclude<BackendRequest, 'auto'>,
  (options: SelectBackendOptions) => Promise<Started>
> = { node: startNode, wasm: startWasm, cpu: startCpu };

/** The backend tfjs runs on now, if one is started (tfjs keeps the name of a failed one too). */
function workingBackend(): string | null {
  const engine = tf.engine();
  return engine.backendName && engine.registry[engine.backendName] ? engine.backendName : null;
}

/**
 * After a backend failed to start, tfjs still names it as the backend and every op throws "Backend
 * … has not yet been initialized": go back to the backend that worked before, else to the CPU one.
 */
async function recoverFrom(previous: string | null): Promise<string | null> {
  if (previous && (await tf.setBackend(previous))) return previous;
  try {
    await startCpu();
    return 'cpu';
  } catch {
    return null;
  }
}

/**
 * Tensors made before a switch are moved to the new backend when next used, and some arrive wrong:
 * a float32 tensor cast from int32 on cpu reads back as 1.4e-45 instead of 1 on wasm.
 */
function warnAboutExistingTensors(target: string): boolean {
  const current = workingBackend();
  const count = tf.engine().state.numTensors;
  if (count === 0 || current === null || current === target) return false;
  console.warn(
    `@actlab/backend: selectBackend is switching tfjs from '${current}' while ${count} tensor(s) exist; tfjs moves them when they are next used, and some arrive wrong (a float32 tensor cast from int32 on cpu reads back as 1.4e-45 instead of 1 on wasm). Call selectBackend before creating tensors.`,
  );
  return true;
}

/**
 * Starts the fastest tfjs backend available and installs the faster kernels on it, so that
 * stock tfjs-layers training afterwards runs faster. `auto` tries, in order, tfjs-node (when
 * installed: it is detected with a dynamic import that may fail), WebAssembly (SIMD when the
 * engine supports it), then the plain JavaScript CPU backend. It also decides which kernels
 * fused Dense trainers run on (native AVX2 ones when their package is installed and the CPU has
 * AVX2 and FMA, WebAssembly otherwise) and says so.
 *
 * Call it before creating tensors: it warns when tensors already exist, since tfjs moves them to
 * the new backend and some arrive wrong. After a failure tfjs is left on the backend that worked
 * before (else on cpu, when installed), not on the one that failed.
 *
 * @param request - `auto` (default), or one backend to start without fallback
 * @param options - `fastKernels: false` leaves the stock kernels in place; `wasmPaths` says where
 *   a bundled page serves tfjs-backend-wasm's `.wasm` files; `denseKernels` picks the fused
 *   trainers' kernels
 * @returns what was chosen: name, SIMD, threads, version, replaced kernels, dense kernels, and why
 * @throws {@link BackendError} `UNKNOWN_BACKEND` for another name; `BACKEND_UNAVAILABLE` when
 *   the requested backend (or, for `auto`, every backend) cannot start, with each one's cause
 *   (not installed, or installed but failed: for wasm in a page, what fetching its binary gave),
 *   or when `denseKernels: 'native'` cannot load
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
  const previous = workingBackend();
  let startFailures = 0;
  let warned = false;
  for (const candidate of order) {
    try {
      if (!warned)
        warned = warnAboutExistingTensors(candidate === 'node' ? 'tensorflow' : candidate);
      const started = await starters[candidate](options);
      const fastKernels = useFastKernels(options.fastKernels !== false, started.name);
      // A kernel stock wasm lacks altogether, not a faster one: Conv2D models cannot train without it.
      if (started.name === 'wasm') registerWasmConv2DBackpropFilter();
      if (started.name === 'wasm')
        fastKernels.push(
          ...(await useConvKernels(options.fastKernels !== false, options.denseKernels)),
        );
      const convKernels = started.name === 'wasm' ? (convKernelsInUse() ?? null) : null;
      const chosen = request === 'auto' ? `auto chose ${candidate}` : `${candidate} was requested`;
      const simd = started.simd === null ? '' : started.simd ? ' with SIMD' : ' without SIMD';
      const conv = convKernels ? [`${convKernels} conv kernels`] : [];
      const reason = [...failures, `${chosen}${simd}`, dense.reason, ...conv].join('; ');
      return { ...started, fastKernels, denseKernels: dense.name, convKernels, reason };
    } catch (error) {
      if (!(error instanceof NotAvailableHere)) startFailures++;
      failures.push(`${candidate} unavailable (${message(error)})`);
    }
  }
  const now = await recoverFrom(previous);
  const install =
    startFailures === 0
      ? ' Install @tensorflow/tfjs-backend-wasm or @tensorflow/tfjs-backend-cpu.'
      : '';
  throw new BackendError({
    code: 'BACKEND_UNAVAILABLE',
    message: `no tfjs backend could start for "${request}": ${failures.join('; ')}.${install} ${now ? `tfjs is back on '${now}'.` : 'No tfjs backend is running.'}`,
  });
}
