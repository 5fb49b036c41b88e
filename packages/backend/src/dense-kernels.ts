import { BackendError } from './backend-error.js';
import { type DenseKernels, instantiateDenseKernels } from './dense-wasm.js';
import { nativeGemmChoice, probeNativeKernels } from './native-kernels.js';

/** Which kernels the fused trainer may run on: `auto` prefers native ones when they load. */
export type DenseKernelsRequest = 'auto' | 'native' | 'wasm';

/** The kernels chosen for fused trainers, and why. */
export interface DenseKernelsChoice {
  name: 'native' | 'wasm';
  reason: string;
}

const requests: DenseKernelsRequest[] = ['auto', 'native', 'wasm'];
let processDefault: DenseKernelsRequest = 'auto';

/** Sets what `auto` trainers of this process use (called by `selectBackend`). */
export function setDefaultDenseKernels(request: DenseKernelsRequest): void {
  processDefault = request;
}

function forcedByEnvironment(): boolean {
  return typeof process !== 'undefined' && process.env?.ACTLAB_NATIVE === '0';
}

/**
 * Decides between the native (AVX2 + FMA, Node-API) and the WebAssembly kernels, ignoring the
 * process default. The reason names the native GEMM kernel: AVX-512 where the CPU has it, AVX2
 * otherwise or when `ACTLAB_NATIVE_GEMM=avx2`.
 *
 * @param request - `auto` (native when it loads unless `ACTLAB_NATIVE=0`), `native` or `wasm`
 * @param subject - which kernels the messages and reasons name: the Dense trainer's or the CNN ones
 * @throws {@link BackendError} `UNKNOWN_BACKEND` for another name; `BACKEND_UNAVAILABLE` when
 *   `native` is requested and cannot load (the message says why)
 */
export function resolveDenseKernels(
  request: DenseKernelsRequest,
  subject: 'dense' | 'conv' = 'dense',
): DenseKernelsChoice {
  const kernels = `${subject} kernels`;
  if (!requests.includes(request)) {
    throw new BackendError({
      code: 'UNKNOWN_BACKEND',
      message: `unknown ${kernels} "${String(request)}"; expected one of ${requests.join(', ')}.`,
    });
  }
  if (request === 'wasm') {
    return { name: 'wasm', reason: `WebAssembly ${kernels} were requested` };
  }
  if (request === 'auto' && forcedByEnvironment()) {
    return { name: 'wasm', reason: `ACTLAB_NATIVE=0 forces the WebAssembly ${kernels}` };
  }
  const probe = probeNativeKernels();
  if (probe.available) {
    const how = request === 'native' ? 'were requested' : 'loaded';
    const { why } = nativeGemmChoice(probe.gemmKernels);
    return { name: 'native', reason: `native ${kernels} ${how} (${probe.packageName}, ${why})` };
  }
  if (request === 'native') {
    throw new BackendError({
      code: 'BACKEND_UNAVAILABLE',
      message: `the native ${kernels} are unavailable: ${probe.reason}. Use the WebAssembly ones ('wasm' or 'auto').`,
    });
  }
  return { name: 'wasm', reason: `WebAssembly ${kernels}: ${probe.reason}` };
}

/** As {@link resolveDenseKernels}, with `auto` meaning the process default `selectBackend` set. */
export function chooseDenseKernels(request: DenseKernelsRequest = 'auto'): DenseKernelsChoice {
  return resolveDenseKernels(request === 'auto' ? processDefault : request);
}

/** Fresh kernels with their own memory, as {@link chooseDenseKernels} decides. */
export async function instantiateChosenKernels(
  request: DenseKernelsRequest = 'auto',
): Promise<{ kernels: DenseKernels; choice: DenseKernelsChoice }> {
  const choice = chooseDenseKernels(request);
  // Probe only once native is chosen: with 'wasm' or ACTLAB_NATIVE=0 the addon is never loaded.
  const probe = choice.name === 'native' ? probeNativeKernels() : undefined;
  const kernels = probe?.available ? probe.create() : await instantiateDenseKernels();
  return { kernels, choice };
}
