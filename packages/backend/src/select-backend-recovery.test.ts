import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError } from './backend-error.js';
import { selectBackend } from './select-backend.js';

// Its own file (own process): a failed wasm start cannot be undone within one tfjs-backend-wasm.
afterEach(() => {
  vi.restoreAllMocks();
});

describe('selectBackend after a failure, and with tensors already made', () => {
  it('does not warn about existing tensors when the backend stays the same', async () => {
    await selectBackend('cpu');
    const made = tf.tensor1d([1, 2, 3]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await selectBackend('cpu');
    expect(warn).not.toHaveBeenCalled();
    made.dispose();
  });

  it('warns about existing tensors, names the true cause when the installed wasm backend cannot start (no "install"), and leaves tfjs on the backend that worked', async () => {
    await selectBackend('cpu');
    const kept = tf.tensor1d([1, 2, 3]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const failure = await selectBackend('wasm', { wasmPaths: '/nonexistent/wasm-files/' }).catch(
      (error: unknown) => error,
    );
    expect(BackendError.isInstance(failure)).toBe(true);
    const text = (failure as BackendError).message;
    expect((failure as BackendError).code).toBe('BACKEND_UNAVAILABLE');
    expect(text).toMatch(/the wasm backend did not start/);
    expect(text).not.toMatch(/Install/);
    expect(text).toMatch(/tfjs is back on 'cpu'/);
    expect(warn.mock.calls.some(([line]) => /1 tensor\(s\) exist/.test(String(line)))).toBe(true);
    expect(tf.getBackend()).toBe('cpu');
    const sum = tf.add(kept, 1);
    expect(Array.from(await sum.data())).toEqual([2, 3, 4]);
    tf.dispose([kept, sum]);
  });
});
