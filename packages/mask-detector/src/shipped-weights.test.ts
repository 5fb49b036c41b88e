import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { MaskDetector, shippedModelPath } from './node-mask-detector.js';

const dataDir = process.env.ACTLAB_DATA_DIR;
// Written by scripts/pick-validation-samples.mjs from the shipped model's own validation split.
const samples: {
  file: string;
  box?: { x: number; y: number; width: number; height: number };
  label: string;
}[] = JSON.parse(
  await readFile(new URL('./test-support/validation-samples.json', import.meta.url), 'utf8'),
);

describe('the shipped weights', () => {
  it('load with no argument and describe a two-class model', async () => {
    expect(existsSync(shippedModelPath)).toBe(true);
    await tf.setBackend('cpu');
    const detector = await MaskDetector.load();
    expect(detector.classNames).toEqual(['with_mask', 'no_mask']);
    detector.dispose();
  });

  it.skipIf(!dataDir)(
    'classify real validation faces (never trained on) from the image files',
    async () => {
      await tf.setBackend('cpu');
      const detector = await MaskDetector.load();
      const before = tf.memory().numTensors;
      let correct = 0;
      for (const sample of samples) {
        const file = join(dataDir as string, sample.file);
        const [result] = sample.box
          ? await detector.classifyFaces(file, [sample.box])
          : [await detector.classify(file)];
        if (result?.label === sample.label) correct++;
      }
      expect(tf.memory().numTensors).toBe(before);
      // Evenly spaced picks, both classes of both sets; the README gives the full validation figures.
      expect(correct / samples.length).toBeGreaterThanOrEqual(0.8);
      detector.dispose();
    },
    60_000,
  );
});
