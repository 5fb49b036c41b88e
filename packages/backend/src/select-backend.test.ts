import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendError } from './backend-error.js';
import { convKernelNames, useConvKernels } from './conv-kernels.js';
import { chooseDenseKernels } from './dense-kernels.js';
import { useFastKernels } from './fast-kernels.js';
import { probeNativeKernels } from './native-kernels.js';
import { selectBackend } from './select-backend.js';

afterAll(async () => {
  useFastKernels(false);
  await useConvKernels(false);
});

describe('selectBackend', () => {
  it('falls back from tfjs-node to WebAssembly with SIMD and installs the fast kernels', async () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const choice = await selectBackend('auto');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.simd).toBe(true);
    expect(choice.threads).toBe(1);
    expect(choice.version).toMatch(/^4\./);
    expect(choice.fastKernels).toEqual([
      'BatchMatMul',
      '_FusedMatMul',
      'Identity',
      'Slice',
      ...convKernelNames,
    ]);
    expect(choice.reason).toMatch(/node unavailable .*; auto chose wasm with SIMD/);
  });

  it('says which kernels fused trainers run on, and takes WebAssembly when asked', async () => {
    const auto = await selectBackend('cpu');
    // ACTLAB_NATIVE=0 (the documented opt-out) turns them off for the whole run.
    const optedOut = process.env.ACTLAB_NATIVE === '0';
    const native = probeNativeKernels().available && !optedOut;
    expect(auto.denseKernels).toBe(native ? 'native' : 'wasm');
    expect(auto.reason).toMatch(
      native
        ? /native dense kernels loaded \(@actlab\/backend-linux-x64-gnu, AVX/
        : optedOut
          ? /ACTLAB_NATIVE=0/
          : /WebAssembly dense/,
    );
    const wasm = await selectBackend('cpu', { denseKernels: 'wasm' });
    expect(wasm.denseKernels).toBe('wasm');
    expect(wasm.reason).toBe('cpu was requested; WebAssembly dense kernels were requested');
    expect(chooseDenseKernels().name).toBe('wasm');
    await selectBackend('cpu');
    expect(chooseDenseKernels().name).toBe(auto.denseKernels);
  });

  it('starts the CPU backend when asked', async () => {
    const choice = await selectBackend('cpu');
    expect(choice).toMatchObject({ name: 'cpu', simd: null, threads: 1, fastKernels: [] });
    expect(tf.getBackend()).toBe('cpu');
    expect(choice.reason).toMatch(/^cpu was requested; .*dense kernels/);
  });

  it('reports a missing tfjs-node as BACKEND_UNAVAILABLE instead of falling back', async () => {
    const failure = await selectBackend('node').catch((error: unknown) => error);
    expect(BackendError.isInstance(failure)).toBe(true);
    expect((failure as BackendError).code).toBe('BACKEND_UNAVAILABLE');
    expect((failure as BackendError).message).toMatch(/tfjs-node/);
  });

  it('rejects an unknown backend name', async () => {
    await expect(selectBackend('webgpu' as 'auto')).rejects.toMatchObject({
      code: 'UNKNOWN_BACKEND',
    });
  });
});
