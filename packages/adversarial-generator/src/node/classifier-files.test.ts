import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, saveClassifier } from './classifier-files.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let saved: string;
let modelJson: {
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: unknown[] }[];
};

beforeAll(async () => {
  await tf.setBackend('cpu');
  temp = await makeTempDir('classifier-files-');
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ inputShape: [3], units: 2, activation: 'softmax' })],
  });
  saved = join(temp.path, 'saved');
  await saveClassifier(model, saved);
  model.dispose();
  modelJson = JSON.parse(await readFile(join(saved, 'model.json'), 'utf8'));
});

afterAll(async () => {
  await temp.remove();
});

/** A folder holding `json` as model.json and the saved weights (or `weights`) as weights.bin. */
async function folderWith(name: string, json: unknown, weights?: Uint8Array): Promise<string> {
  const dir = join(temp.path, name);
  await mkdir(dir);
  await writeFile(join(dir, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
  await writeFile(
    join(dir, 'weights.bin'),
    weights ?? (await readFile(join(saved, 'weights.bin'))),
  );
  return dir;
}

describe('loadClassifier', () => {
  it.each([['../../../../../../etc/passwd'], ['/etc/passwd'], ['shards/../../outside.bin']])(
    'refuses a weights path that leaves the model folder (%s) with MODEL_UNREADABLE',
    async (outsidePath) => {
      const name = `outsidePath-${outsidePath.replace(/\W/g, '_')}`;
      await writeFile(join(temp.path, 'outside.bin'), await readFile(join(saved, 'weights.bin')));
      const dir = await folderWith(name, {
        ...modelJson,
        weightsManifest: [{ paths: [outsidePath], weights: modelJson.weightsManifest[0]!.weights }],
      });
      const error = await loadClassifier(dir).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'MODEL_UNREADABLE' });
      expect((error as Error).message).toContain(outsidePath);
      expect((error as Error).message).toContain("weights must sit in the model's folder");
    },
  );

  it('says MODEL_NOT_FOUND for a folder without model.json', async () => {
    await expect(loadClassifier(join(temp.path, 'nothing'))).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
  });

  it('reads weights split over several files in manifest order', async () => {
    const weights = new Uint8Array(await readFile(join(saved, 'weights.bin')));
    const dir = await folderWith('sharded', {
      ...modelJson,
      weightsManifest: [
        { paths: ['part-1.bin', 'part-2.bin'], weights: modelJson.weightsManifest[0]!.weights },
      ],
    });
    await writeFile(join(dir, 'part-1.bin'), weights.subarray(0, 10));
    await writeFile(join(dir, 'part-2.bin'), weights.subarray(10));
    const model = await loadClassifier(dir);
    expect(model.countParams()).toBe(8);
    model.dispose();
  });

  // Found by fuzzing: each of these escaped as tfjs's ValueError or a TypeError, not a typed error.
  it('says MODEL_UNREADABLE, not tfjs ValueError, for an initializer distribution tfjs does not know', async () => {
    const json = structuredClone(modelJson) as {
      modelTopology: {
        config: {
          layers: { config: { kernel_initializer: { config: Record<string, unknown> } } }[];
        };
      };
    };
    json.modelTopology.config.layers[0]!.config.kernel_initializer.config.distribution = 0.5;
    await expect(loadClassifier(await folderWith('bad-distribution', json))).rejects.toMatchObject({
      code: 'MODEL_UNREADABLE',
      message: expect.stringMatching(/0\.5 is not a valid Distribution/),
    });
  });

  it('says MODEL_UNREADABLE, not TypeError, when weightsManifest is an object rather than an array', async () => {
    const dir = await folderWith('manifest-object', { ...modelJson, weightsManifest: { 0: {} } });
    await expect(loadClassifier(dir)).rejects.toMatchObject({ code: 'MODEL_UNREADABLE' });
  });

  it('says MODEL_UNREADABLE for model.json that is not JSON and for weights of the wrong size', async () => {
    await expect(loadClassifier(await folderWith('not-json', '{"model'))).rejects.toMatchObject({
      code: 'MODEL_UNREADABLE',
    });
    const short = await folderWith('short-weights', modelJson, new Uint8Array(4));
    await expect(loadClassifier(short)).rejects.toMatchObject({ code: 'MODEL_UNREADABLE' });
  });
});
