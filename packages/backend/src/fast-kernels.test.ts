import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { expectArraysClose } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useFastKernels } from './fast-kernels.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

afterAll(() => {
  useFastKernels(false);
});

/** Seeded uniform values in [−1, 1) (a small LCG: tests must not depend on Math.random). */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/** Reference batched product in float64: op(a)[batch]·op(b)[batch], broadcasting a batch of 1. */
function referenceMatMul(
  a: Float32Array,
  aShape: number[],
  b: Float32Array,
  bShape: number[],
  transposeA: boolean,
  transposeB: boolean,
): Float32Array {
  const [aBatch, aRows, aCols] = aShape as [number, number, number];
  const [bBatch, bRows, bCols] = bShape as [number, number, number];
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const n = transposeB ? bRows : bCols;
  const batch = Math.max(aBatch, bBatch);
  const out = new Float32Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const aOffset = (aBatch === 1 ? 0 : t) * aRows * aCols;
    const bOffset = (bBatch === 1 ? 0 : t) * bRows * bCols;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const av = transposeA ? a[aOffset + p * aCols + i]! : a[aOffset + i * aCols + p]!;
          const bv = transposeB ? b[bOffset + j * bCols + p]! : b[bOffset + p * bCols + j]!;
          sum += av * bv;
        }
        out[t * m * n + i * n + j] = sum;
      }
    }
  }
  return out;
}

const cases = [
  { m: 7, k: 13, n: 5, aBatch: 1, bBatch: 1 },
  { m: 64, k: 32, n: 10, aBatch: 1, bBatch: 1 },
  { m: 1, k: 33, n: 17, aBatch: 3, bBatch: 3 },
  { m: 9, k: 4, n: 11, aBatch: 2, bBatch: 1 },
  { m: 16, k: 128, n: 3, aBatch: 1, bBatch: 4 },
];

describe('useFastKernels on wasm', () => {
  it('replaces BatchMatMul, _FusedMatMul and Identity, and restores them', () => {
    const replaced = ['BatchMatMul', '_FusedMatMul', 'Identity', 'Slice'];
    expect(useFastKernels(true)).toEqual(replaced);
    expect(useFastKernels(true)).toEqual(replaced);
    expect(useFastKernels(false)).toEqual([]);
    expect(useFastKernels(true, 'cpu')).toEqual([]);
  });

  it.each([
    ['a batch of rows (contiguous)', [50, 4, 3, 2], [7, 0, 0, 0], [5, -1, -1, -1], 'float32'],
    ['a 4-D window', [3, 5, 6, 4], [1, 2, 1, 1], [2, 3, 4, 2], 'float32'],
    ['a 2-D block of int32', [9, 11], [2, 3], [4, 5], 'int32'],
    ['a 5-D window', [2, 3, 4, 3, 5], [1, 1, 0, 1, 2], [1, 2, 3, 2, 3], 'float32'],
    ['bools', [6, 7], [1, 2], [3, 4], 'bool'],
    ['nothing', [4, 4], [1, 1], [0, 2], 'float32'],
  ] as const)(
    'slices %s like the cpu backend, reading only the slice',
    async (_, shape, begin, size, dtype) => {
      useFastKernels(true);
      const run = async (backend: 'cpu' | 'wasm') => {
        await tf.setBackend(backend);
        // Bools from a comparison: tfjs-wasm 4.22's cast of int32 to bool keeps the integers.
        const values = tf.tidy(() => {
          const ints = tf.randomUniform([...shape], 0, 9, 'int32', 4);
          return dtype === 'bool' ? tf.greater(ints, 4) : tf.cast(ints, dtype);
        });
        const readSync = vi.spyOn(tf.backend(), 'readSync');
        const sliced = tf.slice(values, [...begin], [...size]);
        const calls = readSync.mock.calls.length;
        readSync.mockRestore();
        const result = { shape: sliced.shape, data: Array.from(await sliced.data()), calls };
        tf.dispose([values, sliced]);
        return result;
      };
      const expected = await run('cpu');
      const got = await run('wasm');
      await tf.setBackend('wasm');
      expect(got.shape).toEqual(expected.shape);
      expect(got.data).toEqual(expected.data);
      expect(got.calls).toBe(0); // tfjs-wasm 4.22's Slice copies its whole input with readSync
    },
  );

  it('clones by sharing the data, which outlives the original', async () => {
    useFastKernels(true);
    const buffers = () => tf.engine().backend.numDataIds();
    const before = buffers();
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId); // stock tfjs-wasm 4.22 copies into new data
    expect(buffers()).toBe(before + 1);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(buffers()).toBe(before); // freed with the last reference
  });

  for (const { m, k, n, aBatch, bBatch } of cases) {
    for (const [transposeA, transposeB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`equals a float64 reference for [${aBatch}]·${m}×${k}·[${bBatch}]·${k}×${n}, transposeA ${transposeA}, transposeB ${transposeB}`, () => {
        useFastKernels(true);
        const aShape = transposeA ? [aBatch, k, m] : [aBatch, m, k];
        const bShape = transposeB ? [bBatch, n, k] : [bBatch, k, n];
        const aValues = values(aBatch * m * k, m * 31 + k);
        const bValues = values(bBatch * k * n, n * 17 + k);
        const expected = referenceMatMul(aValues, aShape, bValues, bShape, transposeA, transposeB);
        const before = tf.memory().numTensors;
        const backend = tf.backend() as unknown as { numDataIds(): number };
        const dataIdsBefore = backend.numDataIds();
        const actual = tf.tidy(() => {
          const a = tf.tensor3d(aValues, aShape as [number, number, number]);
          const b = tf.tensor3d(bValues, bShape as [number, number, number]);
          return tf.matMul(a, b, transposeA, transposeB).dataSync();
        });
        expectArraysClose(actual, expected, 1e-5 * k);
        expect(tf.memory().numTensors).toBe(before);
        expect(backend.numDataIds()).toBe(dataIdsBefore);
      });
    }
  }

  it('computes fused matmul with bias, activation and transposes as the CPU backend does, gradients included', async () => {
    const run = () =>
      tf.tidy(() => {
        const a = tf.tensor2d(values(6 * 9, 5), [6, 9]);
        const b = tf.tensor2d(values(9 * 4, 6), [9, 4]);
        const bias = tf.tensor1d(values(4, 7));
        const f = (x: tf.Tensor2D, w: tf.Tensor2D) =>
          tf.sum(tf.fused.matMul({ a: x, b: w, bias, activation: 'relu', transposeA: false }));
        const [dx, dw] = tf.grads(f as (...args: tf.Tensor[]) => tf.Tensor)([a, b]);
        const forward = tf.fused.matMul({
          a,
          b: tf.transpose(b),
          bias,
          transposeB: true,
          activation: 'elu',
        });
        return [forward.dataSync(), dx!.dataSync(), dw!.dataSync()];
      });
    await tf.setBackend('cpu');
    const reference = run();
    await tf.setBackend('wasm');
    useFastKernels(true);
    const fast = run();
    // (Stock tfjs-wasm 4.22 drops the bias from every row but the first when an operand is transposed.)
    for (const [index, expected] of reference.entries())
      expectArraysClose(fast[index]!, expected, 1e-5);
  });

  it('leaves model.fit results equal to stock training and leaks no tensors', async () => {
    const train = async () => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({
            units: 24,
            inputShape: [20],
            activation: 'tanh',
            kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
          }),
          tfl.layers.dense({
            units: 5,
            activation: 'softmax',
            kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
          }),
        ],
      });
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
      const xs = tf.tensor2d(values(96 * 20, 3), [96, 20]);
      const ys = tf.tidy(() =>
        tf.oneHot(
          tf.tensor1d(
            Array.from({ length: 96 }, (_, i) => i % 5),
            'int32',
          ),
          5,
        ),
      );
      await model.fit(xs, ys, { epochs: 2, batchSize: 32, shuffle: false, verbose: 0 });
      const weights = model.getWeights().map((w) => w.dataSync().slice());
      tf.dispose([xs, ys]);
      model.optimizer.dispose();
      model.dispose();
      return weights;
    };
    useFastKernels(false);
    const stock = await train();
    useFastKernels(true);
    await train();
    // Measured on a second run: tfjs-layers caches a few scalars on its first fit.
    const before = tf.memory().numTensors;
    const fast = await train();
    expect(tf.memory().numTensors).toBe(before);
    for (const [index, expected] of stock.entries())
      expectArraysClose(fast[index]!, expected, 1e-5);
  });
});
