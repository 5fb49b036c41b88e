import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeModelSource, readModelFiles, saveModelFiles } from './model-files.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let saved: string;
let modelJson: { weightsManifest: { paths: string[]; weights: unknown[] }[] };

beforeAll(async () => {
  await tf.setBackend('cpu');
  temp = await makeTempDir('mask-model-files-');
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ inputShape: [3], units: 2, activation: 'softmax' })],
  });
  saved = join(temp.path, 'saved');
  await saveModelFiles(model, saved);
  model.dispose();
  modelJson = JSON.parse(await readFile(join(saved, 'model.json'), 'utf8'));
});

afterAll(async () => {
  await temp.remove();
});

describe('nodeModelSource', () => {
  it('takes a model by its folder or by its model.json, to the same weights', async () => {
    const load = async (source: string) =>
      ((await nodeModelSource(source)) as tf.io.IOHandler).load?.();
    const byFolder = await load(saved);
    const byFile = await load(join(saved, 'model.json'));
    expect(byFolder?.weightSpecs).toEqual(modelJson.weightsManifest[0]?.weights);
    expect(byFolder?.weightData).toEqual(byFile?.weightData);
  });

  it('passes an http(s) URL through for tfjs to fetch', async () => {
    expect(await nodeModelSource('https://example.org/model.json')).toBe(
      'https://example.org/model.json',
    );
  });
});

describe('readModelFiles', () => {
  it('reads a saved model back with its weights', async () => {
    const artifacts = await readModelFiles(join(saved, 'model.json'));
    expect(artifacts.weightSpecs).toEqual(modelJson.weightsManifest[0]?.weights);
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe((3 * 2 + 2) * 4);
  });

  it.each([['../../../../../../etc/passwd'], ['/etc/passwd'], ['shards/../../outside.bin']])(
    'refuses a weights path that leaves the model folder (%s) with MODEL_UNREADABLE',
    async (outsidePath) => {
      const dir = join(temp.path, `outsidePath-${outsidePath.replace(/\W/g, '_')}`);
      await mkdir(dir);
      await writeFile(join(temp.path, 'outside.bin'), await readFile(join(saved, 'weights.bin')));
      const json = {
        ...modelJson,
        weightsManifest: [{ paths: [outsidePath], weights: modelJson.weightsManifest[0]?.weights }],
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      const error = await readModelFiles(join(dir, 'model.json')).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'MODEL_UNREADABLE' });
      expect((error as Error).message).toContain(outsidePath);
      expect((error as Error).message).toContain("weights must sit in the model's folder");
    },
  );
});
