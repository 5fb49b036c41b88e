import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  damagedBytes,
  damagedJson,
  fuzzParameters,
  fuzzTimeout,
  makeTempDir,
  typedOutcome,
} from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdversarialError } from '../errors.js';
import { loadClassifier, saveClassifier } from './classifier-files.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let folderNumber = 0;
const nextFolder = () => join(temp.path, `case-${folderNumber++}`);

beforeAll(async () => {
  await tf.setBackend('cpu');
  temp = await makeTempDir('classifier-fuzz-');
});

afterAll(async () => {
  await temp.remove();
});

/** A small classifier: flatten, then dense layers of the given widths and activations. */
function classifier(layers: { units: number; activation: 'relu' | 'tanh' | 'linear' }[]) {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [4, 4, 1] }));
  for (const layer of layers) model.add(tfl.layers.dense(layer));
  model.add(tfl.layers.dense({ units: 3, activation: 'softmax' }));
  return model;
}

const architecture = fc.array(
  fc.record({
    units: fc.integer({ min: 1, max: 8 }),
    activation: fc.constantFrom('relu' as const, 'tanh' as const, 'linear' as const),
  }),
  { maxLength: 3 },
);

describe('saveClassifier and loadClassifier under fuzzing', () => {
  it(
    'loads back every saved classifier with the same predictions',
    async () => {
      await fc.assert(
        fc.asyncProperty(architecture, async (layers) => {
          const model = classifier(layers);
          const folder = nextFolder();
          await saveClassifier(model, folder);
          const loaded = await loadClassifier(folder);
          const input = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 1);
          const [expected, actual] = [model, loaded].map((m) => m.predict(input) as tf.Tensor);
          expect(Array.from(await actual!.data())).toEqual(Array.from(await expected!.data()));
          tf.dispose([input, expected!, actual!]);
          model.dispose();
          loaded.dispose();
        }),
        fuzzParameters(30, 2000),
      );
    },
    fuzzTimeout(30_000),
  );

  it(
    'ends a damaged model.json or weights.bin in a model, MODEL_NOT_FOUND or MODEL_UNREADABLE',
    async () => {
      const base = nextFolder();
      const model = classifier([{ units: 4, activation: 'relu' }]);
      await saveClassifier(model, base);
      model.dispose();
      const modelJson = JSON.parse(await readFile(join(base, 'model.json'), 'utf8'));
      const jsonText = JSON.stringify(modelJson);
      const weights = new Uint8Array(await readFile(join(base, 'weights.bin')));
      const folder = fc.record({
        json: fc.oneof(
          { weight: 4, arbitrary: damagedJson(modelJson).map((json) => JSON.stringify(json)) },
          { weight: 1, arbitrary: fc.nat().map((end) => jsonText.slice(0, end % jsonText.length)) },
          { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
        ),
        weights: fc.option(fc.oneof(fc.constant(weights), damagedBytes(weights)), {
          nil: undefined,
        }),
      });
      await fc.assert(
        fc.asyncProperty(folder, async ({ json, weights: bytes }) => {
          const dir = nextFolder();
          await mkdir(dir);
          await writeFile(join(dir, 'model.json'), json);
          if (bytes) await writeFile(join(dir, 'weights.bin'), bytes);
          const outcome = await typedOutcome(() => loadClassifier(dir), AdversarialError, {
            codes: ['MODEL_NOT_FOUND', 'MODEL_UNREADABLE'],
            maxMilliseconds: 3000,
          });
          if (outcome.ok) outcome.value.dispose();
        }),
        fuzzParameters(200),
      );
    },
    fuzzTimeout(30_000),
  );
});
