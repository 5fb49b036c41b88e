import '@tensorflow/tfjs-backend-cpu';
import { maxAbsDifference } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildStack,
  randomBatches,
  type StackSpec,
  stockOptimizer,
  trainStock,
  weightsOf,
} from './dense-stack-fixtures.js';
import { createDenseTrainer } from './dense-trainer.js';
import { probeNativeKernels } from './native-kernels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const native = probeNativeKernels();

describe('the native kernels', () => {
  it('load on linux-x64 with glibc, or say why not', () => {
    if (native.available) {
      expect(native.packageName).toBe('@actlab/backend-linux-x64-gnu');
      expect(native.gemmKernels).toContain('avx2');
      expect(['avx512', 'avx2']).toContain(native.gemmKernels[0]);
    } else expect(native.reason).toMatch(/not installed|not built|did not load|Node/);
  });

  it.skipIf(!native.available)(
    'refuse an offset outside their memory instead of writing there',
    () => {
      if (!native.available) return;
      const kernels = native.create();
      const outside = kernels.memory.buffer.byteLength + 64;
      kernels.sgd_update(4, outside, 128, 0.1);
      expect(() => kernels.flush?.()).toThrowError(/outside its memory/);
    },
  );

  // Random shapes (widths off the 6×16 tile) trained for 30 SGD steps by stock tfjs, the
  // WebAssembly trainer and the native one: all three within float32 rounding of each other.
  it.skipIf(!native.available).each([
    { inputSize: 61, widths: [45, 23, 70], classes: 7, activation: 'tanh', seed: 21 },
    { inputSize: 130, widths: [17], classes: 3, activation: 'relu', seed: 22 },
    { inputSize: 9, widths: [33, 33, 33, 33, 33], classes: 10, activation: 'sigmoid', seed: 23 },
  ] satisfies StackSpec[])(
    'train like WebAssembly and stock tfjs through $widths',
    async (stack) => {
      const batches = randomBatches(stack.seed, 30, 13, stack.inputSize, stack.classes);
      const stock = buildStack(stack);
      const optimizer = stockOptimizer({ name: 'sgd', learningRate: 0.1 });
      trainStock(stock, optimizer, batches, stack.inputSize, stack.classes);
      optimizer.dispose();
      const trained: Float32Array[][] = [weightsOf(stock)];
      // The native trainer on its default GEMM kernel (AVX-512 where the CPU has it), then with
      // ACTLAB_NATIVE_GEMM=avx2, then WebAssembly.
      const runs = [
        ['native', undefined],
        ['native', 'avx2'],
        ['wasm', undefined],
      ] as const;
      const saved = process.env.ACTLAB_NATIVE_GEMM;
      for (const [kernels, gemm] of runs) {
        if (gemm) process.env.ACTLAB_NATIVE_GEMM = gemm;
        else delete process.env.ACTLAB_NATIVE_GEMM;
        const model = buildStack(stack);
        const trainer = await createDenseTrainer(model, {
          optimizer: { name: 'sgd', learningRate: 0.1 },
          batchSize: 13,
          kernels,
        });
        for (const { xs, ys } of batches) trainer.trainBatch(xs, ys);
        trainer.writeWeights();
        trained.push(weightsOf(model));
        trainer.dispose();
        model.dispose();
      }
      if (saved === undefined) delete process.env.ACTLAB_NATIVE_GEMM;
      else process.env.ACTLAB_NATIVE_GEMM = saved;
      stock.dispose();
      const [tfjs, nativeWeights, nativeAvx2, wasm] = trained as [
        Float32Array[],
        Float32Array[],
        Float32Array[],
        Float32Array[],
      ];
      const worst = (a: Float32Array[], b: Float32Array[]) =>
        Math.max(...a.map((w, i) => maxAbsDifference(w, b[i]!)));
      // The AVX-512 and AVX2 GEMM kernels: the same chain of multiply-adds, the same bits.
      expect(nativeWeights).toEqual(nativeAvx2);
      expect(worst(nativeWeights, wasm)).toBeLessThan(5e-5);
      expect(worst(nativeWeights, tfjs)).toBeLessThan(5e-5);
      expect(worst(wasm, tfjs)).toBeLessThan(5e-5);
      expect(worst(nativeWeights, wasm)).toBeGreaterThan(0); // FMA rounds differently: a real second path
    },
    30_000,
  );
});
