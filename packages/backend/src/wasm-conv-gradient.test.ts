import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { registerWasmConv2DBackpropFilter } from './wasm-conv-gradient.js';

const filterGradient = (x: number[][][][], dy: number[][][][], pad: 'same' | 'valid') =>
  tf.tidy(() =>
    tf.grad((filter: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(tf.tensor4d(x), filter as tf.Tensor4D, 1, pad), tf.tensor4d(dy))),
    )(tf.zeros([3, 3, 3, 4]) as tf.Tensor4D),
  );

describe('registerWasmConv2DBackpropFilter', () => {
  it('gives the cpu backend’s filter gradient on wasm, for same and valid padding, without leaks', async () => {
    await tf.setBackend('cpu');
    const x = tf.randomNormal([2, 7, 6, 3], 0, 1, 'float32', 1).arraySync() as number[][][][];
    const dySame = tf.randomNormal([2, 7, 6, 4], 0, 1, 'float32', 2).arraySync() as number[][][][];
    const dyValid = tf.randomNormal([2, 5, 4, 4], 0, 1, 'float32', 3).arraySync() as number[][][][];
    const reference = [filterGradient(x, dySame, 'same'), filterGradient(x, dyValid, 'valid')];
    const expected = await Promise.all(reference.map((t) => t.data()));
    tf.dispose(reference);
    expect(await tf.setBackend('wasm')).toBe(true);
    registerWasmConv2DBackpropFilter();
    registerWasmConv2DBackpropFilter(); // a second call is a no-op
    const before = tf.memory().numTensors;
    const got = [filterGradient(x, dySame, 'same'), filterGradient(x, dyValid, 'valid')];
    const values = await Promise.all(got.map((t) => t.data()));
    tf.dispose(got);
    expect(tf.memory().numTensors).toBe(before);
    values.forEach((value, k) => {
      const worst = Math.max(
        ...Array.from(value, (v, i) => Math.abs(v - (expected[k]?.[i] as number))),
      );
      expect(worst).toBeLessThan(1e-4);
    });
    await tf.setBackend('cpu');
  }, 30_000);
});
