import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startLoopbackServer } from '@actlab/test-utils';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadClassifierFromUrl } from './classifier.js';
import { shippedModelDir } from './node/classifier-files.js';

describe('loadClassifierFromUrl', () => {
  it('loads the shipped CNN over HTTP with its weights under a bundler-renamed URL, and says MODEL_NOT_FOUND when nothing is served', async () => {
    await tf.setBackend('cpu');
    const dir = shippedModelDir();
    const modelJson = await readFile(join(dir, 'model.json'));
    const weights = await readFile(join(dir, 'weights.bin'));
    const server = await startLoopbackServer({
      '/assets/model-1a2b.json': (_request, response) => response.end(modelJson),
      '/assets/weights-3c4d.bin': (_request, response) => response.end(weights),
    });
    try {
      const model = await loadClassifierFromUrl(`${server.url}/assets/model-1a2b.json`, {
        weightsUrl: `${server.url}/assets/weights-3c4d.bin`,
      });
      expect(model.inputs[0]?.shape).toEqual([null, 28, 28, 1]);
      expect(model.countParams()).toBeGreaterThan(200_000);
      const scores = tf.tidy(() => model.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor);
      expect(scores.shape).toEqual([1, 10]);
      expect(Array.from(await scores.data()).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      tf.dispose(scores);
      model.dispose();

      // Without weightsUrl tfjs looks for weights.bin beside model.json, which is not there.
      await expect(
        loadClassifierFromUrl(`${server.url}/assets/model-1a2b.json`),
      ).rejects.toMatchObject({
        code: 'MODEL_NOT_FOUND',
      });
      await expect(loadClassifierFromUrl(`${server.url}/missing/model.json`)).rejects.toMatchObject(
        {
          code: 'MODEL_NOT_FOUND',
        },
      );
    } finally {
      await server.close();
    }
  });
});
