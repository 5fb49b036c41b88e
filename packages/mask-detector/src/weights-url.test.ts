import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startLoopbackServer } from '@actlab/test-utils';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { MaskDetector as BrowserMaskDetector } from './mask-detector.js';
import { MaskDetector, shippedModelPath } from './node-mask-detector.js';

describe('MaskDetector.load with weightsUrl', () => {
  it('loads the shipped model over HTTP when a bundler renamed its weights file, in the browser class and the Node one', async () => {
    await tf.setBackend('cpu');
    const modelJson = await readFile(shippedModelPath);
    const weights = await readFile(join(shippedModelPath, '..', 'weights.bin'));
    const server = await startLoopbackServer({
      '/assets/model-5e6f.json': (_request, response) => response.end(modelJson),
      '/assets/weights-7a8b.bin': (_request, response) => response.end(weights),
    });
    const face = tf.fill([48, 48, 3], 128, 'int32') as tf.Tensor3D;
    try {
      const options = { weightsUrl: `${server.url}/assets/weights-7a8b.bin` };
      const inPage = await BrowserMaskDetector.load(
        `${server.url}/assets/model-5e6f.json`,
        options,
      );
      const inNode = await MaskDetector.load(
        new URL(`${server.url}/assets/model-5e6f.json`),
        options,
      );
      const onDisk = await MaskDetector.load();
      const expected = await onDisk.classify(face);
      expect(await inPage.classify(face)).toEqual(expected);
      expect(await inNode.classify(face)).toEqual(expected);
      for (const detector of [inPage, inNode, onDisk]) detector.dispose();
      await expect(
        BrowserMaskDetector.load(`${server.url}/assets/model-5e6f.json`),
      ).rejects.toMatchObject({ code: 'MODEL_UNREADABLE' });
    } finally {
      face.dispose();
      await server.close();
    }
  });
});
