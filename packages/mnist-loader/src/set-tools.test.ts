import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LabelledSet } from './labelled-set.js';
import { labelCounts, splitTrainValidation, subset, take } from './set-tools.js';
import { batches, toTensors } from './tensor-tools.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// 1000 samples, labels 0..9 with unequal counts, pixel 0 = index % 256.
const labels = Uint8Array.from({ length: 1000 }, (_, i) => (i < 300 ? 0 : i % 10));
const set: LabelledSet = {
  images: Uint8Array.from({ length: 1000 * 4 }, (_, i) => Math.floor(i / 4) % 256),
  labels,
  count: 1000,
  height: 2,
  width: 2,
};

describe('splitTrainValidation', () => {
  it('keeps the class proportions and is fixed by the seed', () => {
    const { train, validation } = splitTrainValidation(set, { validationFraction: 0.1, seed: 7 });
    expect(train.count + validation.count).toBe(1000);
    const all = labelCounts(set);
    expect(labelCounts(validation)).toEqual(all.map((count) => Math.round(count * 0.1)));
    const again = splitTrainValidation(set, { validationFraction: 0.1, seed: 7 });
    expect(again.validation.images).toEqual(validation.images);
    expect(
      splitTrainValidation(set, { validationFraction: 0.1, seed: 8 }).validation.images,
    ).not.toEqual(validation.images);
  });

  it('rejects a fraction outside [0, 1) and a missing seed', () => {
    expect(() => splitTrainValidation(set, { validationFraction: 1, seed: 1 })).toThrow(/\[0, 1\)/);
    expect(() => splitTrainValidation(set, { validationFraction: 0.1 } as never)).toThrow(/seed/);
  });
});

describe('subset', () => {
  it('takes exactly size samples with the class proportions', () => {
    const part = subset(set, { size: 100, seed: 3 });
    expect(part.count).toBe(100);
    expect(labelCounts(part)[0]).toBe(37);
  });
});

describe('take', () => {
  it('gives the first n samples as views on the same memory', () => {
    const first = take(set, 5);
    expect(first.count).toBe(5);
    expect(Array.from(first.labels)).toEqual([0, 0, 0, 0, 0]);
    expect(first.images.length).toBe(5 * 4);
    expect(first.images.buffer).toBe(set.images.buffer);
    expect(take(set, 5000)).toBe(set);
    expect(() => take(set, 0)).toThrow(/whole number ≥ 1/);
  });
});

describe('toTensors and batches', () => {
  it('makes unit-scaled images and one-hot labels of the right shapes', () => {
    const { xs, ys } = toTensors(set, { flatten: true });
    expect(xs.shape).toEqual([1000, 4]);
    expect(ys.shape).toEqual([1000, 10]);
    expect(tf.max(xs).dataSync()[0]).toBeLessThanOrEqual(1);
    const { xs: images } = toTensors(set, { normalize: 'standard', oneHot: false });
    expect(images.shape).toEqual([1000, 2, 2, 1]);
    expect(Math.abs(tf.mean(images).dataSync()[0] as number)).toBeLessThan(1e-4);
    tf.dispose([xs, ys, images]);
  });

  it('refuses a label outside the classes instead of one-hot encoding it as zeros', () => {
    const before = tf.memory().numTensors;
    const odd: LabelledSet = {
      ...set,
      labels: Uint8Array.from(labels, (l, i) => (i === 7 ? 12 : l)),
    };
    expect(() => toTensors(odd)).toThrow(/label 12 at sample 7/);
    const tensors = toTensors(odd, { classes: 13 });
    expect(tensors.ys.shape).toEqual([1000, 13]);
    tf.dispose([tensors.xs, tensors.ys]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('iterates over shuffled batches that cover the set once, leaking nothing', () => {
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    let count = 0;
    for (const { xs, ys } of batches(set, {
      batchSize: 64,
      shuffle: true,
      seed: 1,
      oneHot: false,
    })) {
      seen.push(...(ys.dataSync() as Int32Array));
      count++;
      tf.dispose([xs, ys]);
    }
    expect(count).toBe(Math.ceil(1000 / 64));
    expect(seen.slice().sort()).toEqual(Array.from(labels).sort());
    expect(seen.slice(0, 20)).not.toEqual(Array.from(labels.subarray(0, 20)));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('shuffledIndices', () => {
  it('is a permutation, the same for the same seed and different for another', async () => {
    const { shuffledIndices } = await import('./set-tools.js');
    const order = shuffledIndices(1000, 7);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    );
    expect(shuffledIndices(1000, 7)).toEqual(order);
    expect(shuffledIndices(1000, 8)).not.toEqual(order);
  });
});
