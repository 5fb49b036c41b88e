import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expandTrials } from '../study/expand-trials.js';
import { studySchema } from '../study/study-schema.js';
import { trainTrial } from './train-trial.js';
import type { TrialData } from './trial-data.js';
import type { EpochMetrics } from './trial-records.js';

/** A small learnable problem: the class is the brightest of 4 pixel blocks. */
function syntheticData(count: number, seed: number): TrialData['train'] {
  const inputSize = 16;
  const images = new Uint8Array(count * inputSize);
  const labels = new Uint8Array(count);
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (let i = 0; i < count; i++) {
    const label = Math.floor(next() * 4);
    labels[i] = label;
    for (let p = 0; p < inputSize; p++) {
      const bright = Math.floor(p / 4) === label;
      images[i * inputSize + p] = Math.floor((bright ? 128 : 0) + next() * 127);
    }
  }
  return { images, labels, count };
}

const data: TrialData = {
  train: syntheticData(512, 1),
  validation: syntheticData(128, 2),
  test: syntheticData(256, 3),
  inputSize: 16,
  classes: 4,
};

function trialFor(overrides: Record<string, unknown> = {}) {
  const study = studySchema.parse({
    name: 'unit',
    title: 'Unit',
    description: 'd',
    base: {
      depth: 3,
      width: 8,
      epochs: 4,
      batchSize: 32,
      optimizer: { name: 'adam', learningRate: 0.01 },
      ...overrides,
    },
  });
  const trial = expandTrials(study)[0];
  if (!trial) throw new Error('no trial');
  return trial;
}

const withoutTimes = (metrics: EpochMetrics[]) =>
  metrics.map(({ trainSeconds: _t, wallSeconds: _w, ...rest }) => rest);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainTrial', () => {
  it('learns a separable problem, writes its files and leaves no tensor behind', async () => {
    const folder = await makeTempDir();
    try {
      const before = tf.memory().numTensors;
      const result = await trainTrial({
        trial: trialFor(),
        data,
        folder: folder.path,
        backend: 'cpu',
        probeBatchSize: 16,
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(result?.status).toBe('completed');
      expect(result?.epochs).toHaveLength(4);
      expect(result?.finalTestAccuracy).toBeGreaterThan(0.9);
      const saved = JSON.parse(await readFile(join(folder.path, 'result.json'), 'utf8'));
      expect(saved.finalTestAccuracy).toBe(result?.finalTestAccuracy);
    } finally {
      await folder.remove();
    }
  });

  it.each([
    ['momentum', 'fused', { name: 'momentum', learningRate: 0.05, momentum: 0.9 }],
    ['adam', 'fused', { name: 'adam', learningRate: 0.01 }],
    ['momentum', 'tfjs', { name: 'momentum', learningRate: 0.05, momentum: 0.9 }],
    ['adam', 'tfjs', { name: 'adam', learningRate: 0.01 }],
  ] as const)(
    'resumes a %s run of the %s trainer from its checkpoint with the same numbers as an uninterrupted one',
    async (_, trainer, optimizer) => {
      const whole = await makeTempDir();
      const split = await makeTempDir();
      try {
        const trial = trialFor({ optimizer });
        const options = { trial, data, backend: 'cpu', probeBatchSize: 16, trainer };
        const uninterrupted = await trainTrial({ ...options, folder: whole.path });
        const stopped = await trainTrial({ ...options, folder: split.path, stopAfterEpochs: 2 });
        expect(stopped).toBeUndefined();
        const resumed = await trainTrial({ ...options, folder: split.path });
        expect(resumed?.resumed).toBe(true);
        expect(resumed?.trainer).toBe(trainer);
        expect(withoutTimes(resumed?.epochs ?? [])).toEqual(
          withoutTimes(uninterrupted?.epochs ?? []),
        );
      } finally {
        await whole.remove();
        await split.remove();
      }
    },
  );

  it('trains the same numbers with the fused trainer as with stock tfjs, within float32 rounding', async () => {
    const fused = await makeTempDir();
    const stock = await makeTempDir();
    try {
      const trial = trialFor({ epochs: 2, activation: 'tanh' });
      const options = { trial, data, backend: 'cpu', probeBatchSize: 16 };
      const viaFused = await trainTrial({ ...options, folder: fused.path, trainer: 'auto' });
      const viaTfjs = await trainTrial({ ...options, folder: stock.path, trainer: 'tfjs' });
      expect(viaFused?.trainer).toBe('fused');
      expect(viaTfjs?.trainer).toBe('tfjs');
      for (const [index, epoch] of (viaFused?.epochs ?? []).entries()) {
        const other = viaTfjs?.epochs[index];
        expect(epoch.trainLoss).toBeCloseTo(other?.trainLoss ?? Number.NaN, 4);
        expect(epoch.testLoss).toBeCloseTo(other?.testLoss ?? Number.NaN, 4);
        expect(Math.abs(epoch.testAccuracy - (other?.testAccuracy ?? 0))).toBeLessThanOrEqual(
          2 / 256,
        );
      }
    } finally {
      await fused.remove();
      await stock.remove();
    }
  });

  it('continues a checkpoint with the trainer that wrote it, whatever is asked now', async () => {
    const folder = await makeTempDir();
    try {
      const trial = trialFor();
      const options = { trial, data, backend: 'cpu', probeBatchSize: 16, folder: folder.path };
      await trainTrial({ ...options, trainer: 'tfjs', stopAfterEpochs: 1 });
      const resumed = await trainTrial({ ...options, trainer: 'auto' });
      expect(resumed?.resumed).toBe(true);
      expect(resumed?.trainer).toBe('tfjs');
    } finally {
      await folder.remove();
    }
  });

  it('starts over from a checkpoint written before the trainer-state codec', async () => {
    const folder = await makeTempDir();
    try {
      const trial = trialFor({ epochs: 2 });
      const old = { trialId: trial.id, epoch: 1, weights: [], optimizer: [], metrics: [] };
      await writeFile(join(folder.path, 'checkpoint.json'), JSON.stringify(old));
      const result = await trainTrial({
        trial,
        data,
        folder: folder.path,
        backend: 'cpu',
        probeBatchSize: 16,
      });
      expect(result?.resumed).toBe(false);
      expect(result?.epochs.map((metrics) => metrics.epoch)).toEqual([1, 2]);
    } finally {
      await folder.remove();
    }
  });

  it('uses stock tfjs for a learnable activation and refuses when the fused trainer is required', async () => {
    const auto = await makeTempDir();
    const fused = await makeTempDir();
    try {
      const trial = trialFor({ activation: 'learnableSwish', epochs: 1 });
      const options = { trial, data, backend: 'cpu', probeBatchSize: 16 };
      const result = await trainTrial({ ...options, folder: auto.path });
      expect(result?.trainer).toBe('tfjs');
      await expect(
        trainTrial({ ...options, folder: fused.path, trainer: 'fused' }),
      ).rejects.toMatchObject({ code: 'TRAINER_UNAVAILABLE' });
    } finally {
      await auto.remove();
      await fused.remove();
    }
  });

  it('marks a trial that blows up as diverged with its epoch and leaks no tensors', async () => {
    const folder = await makeTempDir();
    try {
      const before = tf.memory().numTensors;
      const result = await trainTrial({
        trial: trialFor({
          optimizer: { name: 'sgd', learningRate: 1e30 },
          activation: 'linear',
          epochs: 5,
        }),
        data,
        folder: folder.path,
        backend: 'cpu',
        probeBatchSize: 16,
      });
      expect(result?.status).toBe('diverged');
      expect(result?.divergedAtEpoch).toBeGreaterThanOrEqual(1);
      expect(result?.epochs.length).toBe(result?.divergedAtEpoch);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await folder.remove();
    }
  });
});
