import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activationCodes } from './analyze-dense-stack.js';
import { chooseDenseKernels, resolveDenseKernels } from './dense-kernels.js';
import type { DenseKernels } from './dense-wasm.js';
import { instantiateDenseKernels } from './dense-wasm.js';
import { probeNativeKernels } from './native-kernels.js';

/** Writes arrays into the kernels' memory and reads results back. */
function arena(kernels: DenseKernels) {
  let next = Math.ceil((kernels.__heap_base.value as number) / 64) * 64;
  const view = () => new Float32Array(kernels.memory.buffer);
  return {
    put(values: Float32Array | number): number {
      const length = typeof values === 'number' ? values : values.length;
      const offset = next;
      next += Math.ceil((length * 4) / 64) * 64;
      const missing = next - kernels.memory.buffer.byteLength;
      if (missing > 0) kernels.memory.grow(Math.ceil(missing / 65536));
      if (typeof values !== 'number') view().set(values, offset / 4);
      return offset;
    },
    get(offset: number, length: number): Float32Array {
      kernels.flush?.();
      return view().slice(offset / 4, offset / 4 + length);
    },
  };
}

/** Seeded values in [-1, 1), of which about `density` are non-zero. */
function matrix(rows: number, cols: number, seed: number, density = 1): Float32Array {
  return tf.tidy(() => {
    const values = tf.randomUniform([rows * cols], -1, 1, 'float32', seed);
    const keep = tf.less(tf.randomUniform([rows * cols], 0, 1, 'float32', seed + 1), density);
    return tf.where(keep, values, tf.zerosLike(values)).dataSync() as Float32Array;
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const kernelSets: [string, () => Promise<DenseKernels>][] = [['wasm', instantiateDenseKernels]];
const native = probeNativeKernels();
// Each GEMM micro-kernel the CPU runs (AVX-512 and AVX2 here): the native suite covers both.
if (native.available)
  kernelSets.unshift(
    ...native.gemmKernels.map(
      (gemm) =>
        [`native ${gemm}`, async () => native.create(gemm)] as [
          string,
          () => Promise<DenseKernels>,
        ],
    ),
  );

// Shapes with every tail of the 12×32 and 6×16 (native) and 4×8 (wasm) tiles, K blocks of the
// packed panels (128 and 256), and MNIST's first layer.
const shapes = [
  [1, 1, 1],
  [5, 7, 3],
  [13, 33, 29],
  [64, 32, 784],
  [128, 128, 64],
  [23, 17, 50],
  [25, 47, 300],
  [12, 10, 129],
];

describe.each(kernelSets)('the %s dense kernels', (_name, instantiate) => {
  it.each(shapes)(
    'multiply %i×%i by %i inner values as a float64 reference does',
    async (m, n, k) => {
      const kernels = await instantiate();
      const memory = arena(kernels);
      const seed = m * 1000 + n * 10 + k;
      const a = matrix(m, k, seed);
      const aT = matrix(k, m, seed + 2);
      const b = matrix(k, n, seed + 4);
      const [pa, paT, pb, pc, pd] = [
        memory.put(a),
        memory.put(aT),
        memory.put(b),
        memory.put(m * n),
        memory.put(m * n),
      ];
      kernels.gemm_nn(m, n, k, pa, k, pb, n, pc, n, 0);
      kernels.gemm_tn(m, n, k, paT, m, pb, n, pd, n, 0);
      const c = memory.get(pc, m * n);
      const d = memory.get(pd, m * n);
      let worst = 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let sum = 0;
          let sumT = 0;
          for (let p = 0; p < k; p++) {
            sum += a[i * k + p]! * b[p * n + j]!;
            sumT += aT[p * m + i]! * b[p * n + j]!;
          }
          worst = Math.max(worst, Math.abs(c[i * n + j]! - sum), Math.abs(d[i * n + j]! - sumT));
        }
      expect(worst).toBeLessThan(1e-5 * Math.sqrt(k));
    },
  );

  it.each(shapes)(
    'give the dense products and SGD step bit for bit from sparse indexes (%i×%i, %i inputs)',
    async (rows, n, k) => {
      const kernels = await instantiate();
      const memory = arena(kernels);
      const seed = rows + n + k;
      const x = matrix(rows, k, seed, 0.2);
      const w = matrix(k, n, seed + 2);
      const g = matrix(rows, n, seed + 4);
      const [px, pw, pg, denseW, sparseW] = [x, w, g, w, w].map((values) => memory.put(values)) as [
        number,
        number,
        number,
        number,
        number,
      ];
      const [denseZ, denseDw, sparseZ, sparseDw] = [rows * n, k * n, rows * n, k * n].map((size) =>
        memory.put(size),
      );
      const entries = rows * k;
      const [starts, indices, values, colBits] = [
        rows + 1,
        entries + 8,
        entries + 8,
        Math.ceil(rows / 64) * k * 2,
      ].map((size) => memory.put(size)) as [number, number, number, number];
      kernels.gemm_nn(rows, n, k, px, k, pw, n, denseZ!, n, 0);
      kernels.gemm_tn(k, n, rows, px, k, pg, n, denseDw!, n, 0);
      kernels.sgd_update(k * n, denseW, denseDw!, 0.1);
      expect(kernels.count_nonzero(entries, px)).toBe(x.filter((v) => v !== 0).length);
      kernels.sparse_index(rows, k, px, starts, indices, values, colBits);
      kernels.sparse_product(rows, n, k, starts, indices, values, pw, n, sparseZ!, n);
      kernels.sparse_transposed_product(rows, n, k, colBits, px, k, pg, n, sparseDw!, n);
      kernels.sparse_sgd_update(rows, n, k, colBits, px, k, pg, n, sparseW, n, 0.1);
      expect(memory.get(sparseZ!, rows * n)).toEqual(memory.get(denseZ!, rows * n));
      expect(memory.get(sparseDw!, k * n)).toEqual(memory.get(denseDw!, k * n));
      expect(memory.get(sparseW, k * n)).toEqual(memory.get(denseW, k * n));
    },
  );

  it('index a batch by row and mark the non-zero rows of each column, empty columns included', async () => {
    const kernels = await instantiate();
    const memory = arena(kernels);
    // 70 rows × 11 columns (two words of row bits, a tail past the vectors); column 2 all zeros.
    const rows = 70;
    const x = new Float32Array(rows * 11);
    x[0 * 11 + 1] = 1.5;
    x[0 * 11 + 10] = 2;
    x[1 * 11 + 0] = 3;
    x[65 * 11 + 1] = 5;
    x[69 * 11 + 10] = 4;
    const [px, starts, indices, values, colBits] = [x, rows + 1, 8 + 8, 8 + 8, 2 * 11 * 2].map(
      (v) => memory.put(v),
    ) as number[];
    kernels.sparse_index(rows, 11, px!, starts!, indices!, values!, colBits!);
    const ints = (offset: number, length: number) =>
      Array.from(new Int32Array(memory.get(offset, length).buffer));
    const startList = ints(starts!, rows + 1);
    expect([startList[0], startList[1], startList[2], startList[66], startList[70]]).toEqual([
      0, 2, 3, 4, 5,
    ]);
    expect(ints(indices!, 5)).toEqual([1, 10, 0, 1, 10]);
    expect(Array.from(memory.get(values!, 5))).toEqual([1.5, 2, 3, 5, 4]);
    const words = new BigUint64Array(memory.get(colBits!, 2 * 11 * 2).buffer);
    // Word w of column c at w·11 + c.
    expect(words[0]).toBe(2n); // column 0: row 1
    expect(words[1]).toBe(1n); // column 1: row 0 …
    expect(words[11 + 1]).toBe(2n); // … and row 65
    expect(words[2]).toBe(0n);
    expect(words[11 + 2]).toBe(0n);
    expect(words[10]).toBe(1n); // column 10: row 0 …
    expect(words[11 + 10]).toBe(32n); // … and row 69
  });
});

describe.skipIf(!native.available || native.gemmKernels.length < 2)(
  'the native AVX-512 and AVX2 kernels',
  () => {
    // Each element of C is one chain of fused multiply-adds over k in order in both, so the
    // AVX-512 kernel's products equal the AVX2 kernel's bit for bit.
    it.each([...shapes, [128, 128, 784], [784, 128, 128], [64, 10, 32], [64, 32, 10]])(
      'give the same bits on AVX-512 and AVX2 (%i×%i, %i inner values)',
      async (m, n, k) => {
        if (!native.available) return;
        const results = native.gemmKernels.map((gemm) => {
          const kernels = native.create(gemm);
          const memory = arena(kernels);
          const seed = m + n * 7 + k * 13;
          const [pa, paT, pb] = [
            matrix(m, k, seed),
            matrix(k, m, seed + 2),
            matrix(k, n, seed + 4),
          ].map((values) => memory.put(values)) as [number, number, number];
          const [pc, pd] = [memory.put(m * n), memory.put(m * n)];
          kernels.gemm_nn(m, n, k, pa, k, pb, n, pc, n, 0);
          kernels.gemm_tn(m, n, k, paT, m, pb, n, pd, n, 0);
          return [memory.get(pc, m * n), memory.get(pd, m * n)];
        });
        expect(results[0]).toEqual(results[1]);
      },
    );

    // The row kernel runs at 16 lanes on AVX-512 and 8 on AVX2 (the column kernels at 8 on both):
    // widths with every strip (8, 4, 2, 1 registers) and a scalar tail at each, batches past the
    // packed column strips (128 rows) and the row chunks (256), blocks of M's rows (64 at 128
    // columns on AVX-512, 128 on AVX2).
    it.each([
      [128, 128, 300],
      [64, 32, 784],
      [100, 144, 300],
      [130, 96, 200],
      [300, 40, 97],
      [7, 10, 64],
      [33, 17, 50],
      [257, 200, 129],
    ])(
      'give the same sparse-input products and SGD step on AVX-512 and AVX2, equal to the dense ones (%i×%i, %i inputs)',
      async (rows, n, k) => {
        if (!native.available) return;
        const seed = rows * 3 + n * 5 + k;
        const x = matrix(rows, k, seed, 0.2);
        const w = matrix(k, n, seed + 2);
        const g = matrix(rows, n, seed + 4);
        const results = native.gemmKernels.map((gemm) => {
          const kernels = native.create(gemm);
          const memory = arena(kernels);
          const [px, pw, pg, denseW, sparseW] = [x, w, g, w, w].map((values) =>
            memory.put(values),
          ) as [number, number, number, number, number];
          const [denseZ, denseDw, sparseZ, sparseDw] = [rows * n, k * n, rows * n, k * n].map(
            (size) => memory.put(size),
          ) as [number, number, number, number];
          const [starts, indices, values, colBits] = [
            rows + 1,
            rows * k + 8,
            rows * k + 8,
            Math.ceil(rows / 64) * k * 2,
          ].map((size) => memory.put(size)) as [number, number, number, number];
          kernels.gemm_nn(rows, n, k, px, k, pw, n, denseZ, n, 0);
          kernels.gemm_tn(k, n, rows, px, k, pg, n, denseDw, n, 0);
          kernels.sgd_update(k * n, denseW, denseDw, 0.1);
          kernels.sparse_index(rows, k, px, starts, indices, values, colBits);
          kernels.sparse_product(rows, n, k, starts, indices, values, pw, n, sparseZ, n);
          kernels.sparse_transposed_product(rows, n, k, colBits, px, k, pg, n, sparseDw, n);
          kernels.sparse_sgd_update(rows, n, k, colBits, px, k, pg, n, sparseW, n, 0.1);
          const sparse = [
            memory.get(sparseZ, rows * n),
            memory.get(sparseDw, k * n),
            memory.get(sparseW, k * n),
          ];
          const dense = [
            memory.get(denseZ, rows * n),
            memory.get(denseDw, k * n),
            memory.get(denseW, k * n),
          ];
          expect(sparse).toEqual(dense);
          return sparse;
        });
        expect(results[0]).toEqual(results[1]);
        // Not vacuous: the step moved the weights.
        expect(results[0]![2]).not.toEqual(w);
      },
      30_000,
    );
  },
);

// Element-wise kernels: lane by lane the same operations at 8 native lanes as at 4 WebAssembly
// ones (and in the scalar tails), so every kernel set gives WebAssembly's bits.
describe.skipIf(kernelSets.length < 2)('the element-wise kernels', () => {
  it.each(Object.entries(activationCodes))(
    'give the same bits on every kernel set: bias, %s and its derivative, SGD, Adam, column sums, softmax',
    async (_name, code) => {
      const [rows, cols] = [7, 37];
      const results = await Promise.all(
        kernelSets.map(async ([, instantiate]) => {
          const kernels = await instantiate();
          const memory = arena(kernels);
          const z = matrix(rows, cols, 31 + code);
          z.forEach((v, i) => {
            z[i] = v * 8; // past tanh's small-|x| branch, relu6's 6, exp's range of interest
          });
          z[3] = 0;
          z[4] = -0;
          const [pz, pb, pa, pg, pw, pm, pv, ps, pp, pq] = [
            z,
            matrix(1, cols, 32),
            rows * cols,
            matrix(rows, cols, 33),
            matrix(rows, cols, 34),
            matrix(rows, cols, 35),
            matrix(rows, cols, 36).map(Math.abs),
            cols,
            rows * 10,
            rows * 10,
          ].map((v) => memory.put(v)) as number[];
          const py = memory.put(
            Float32Array.from({ length: rows * 10 }, (_, i) => (i % 10 === i % 7 ? 1 : 0)),
          );
          kernels.bias_activate(rows, cols, pz!, pb!, pa!, code, 0.2);
          kernels.activation_backward(rows * cols, pg!, pz!, pa!, code, 0.2);
          kernels.sgd_update(rows * cols, pw!, pg!, 0.1);
          kernels.adam_update(
            rows * cols,
            pw!,
            pg!,
            pm!,
            pv!,
            0.01,
            0.9,
            0.999,
            0.1,
            0.001,
            1e-7,
            0.1,
            0.001,
          );
          kernels.column_sums(rows, cols, pg!, ps!);
          const loss = kernels.softmax_cross_entropy(rows, 10, pz!, py, pp!, pq!, rows);
          return [
            ...[pz, pa, pg, pw, pm, pv].map((offset) => memory.get(offset!, rows * cols)),
            memory.get(ps!, cols),
            memory.get(pp!, rows * 10),
            memory.get(pq!, rows * 10),
            loss,
          ];
        }),
      );
      for (const result of results.slice(1)) expect(result).toEqual(results[0]);
    },
  );
});

describe('choosing the dense kernels', () => {
  const saved = process.env.ACTLAB_NATIVE;
  const savedGemm = process.env.ACTLAB_NATIVE_GEMM;
  afterEach(() => {
    if (saved === undefined) delete process.env.ACTLAB_NATIVE;
    else process.env.ACTLAB_NATIVE = saved;
    if (savedGemm === undefined) delete process.env.ACTLAB_NATIVE_GEMM;
    else process.env.ACTLAB_NATIVE_GEMM = savedGemm;
  });

  it('uses WebAssembly when ACTLAB_NATIVE=0, and says so', () => {
    process.env.ACTLAB_NATIVE = '0';
    expect(chooseDenseKernels('auto')).toEqual({
      name: 'wasm',
      reason: 'ACTLAB_NATIVE=0 forces the WebAssembly dense kernels',
    });
  });

  it('prefers the native kernels when they load, naming their package and GEMM kernel', () => {
    delete process.env.ACTLAB_NATIVE;
    delete process.env.ACTLAB_NATIVE_GEMM;
    const choice = resolveDenseKernels('auto');
    if (native.available) {
      const avx512 = native.gemmKernels.includes('avx512');
      expect(choice).toEqual({
        name: 'native',
        reason: `native dense kernels loaded (@actlab/backend-linux-x64-gnu, ${avx512 ? 'AVX-512 GEMM' : 'AVX2 GEMM: the CPU lacks AVX-512F'})`,
      });
      process.env.ACTLAB_NATIVE_GEMM = 'avx2';
      expect(resolveDenseKernels('auto').reason).toBe(
        'native dense kernels loaded (@actlab/backend-linux-x64-gnu, AVX2 GEMM: ACTLAB_NATIVE_GEMM=avx2)',
      );
    } else {
      expect(choice.name).toBe('wasm');
      expect(() => resolveDenseKernels('native')).toThrowError(
        expect.objectContaining({ code: 'BACKEND_UNAVAILABLE' }),
      );
    }
  });

  it('rejects an unknown kernel name', () => {
    expect(() => resolveDenseKernels('gpu' as 'auto')).toThrowError(
      expect.objectContaining({ code: 'UNKNOWN_BACKEND' }),
    );
  });
});
