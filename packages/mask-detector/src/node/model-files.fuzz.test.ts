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
import '@tensorflow/tfjs-backend-cpu';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { buildMaskModel } from '../build-mask-model.js';
import { MaskDetectorError } from '../mask-detector-error.js';
import { MaskDetector } from '../node-mask-detector.js';
import { saveModelFiles } from './model-files.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let modelJson: unknown;
let weights: Uint8Array;
let folderNumber = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
  temp = await makeTempDir('mask-model-fuzz-');
  const model = buildMaskModel({ size: 16, filters: [2, 2, 2] });
  await saveModelFiles(model, join(temp.path, 'base'));
  model.optimizer?.dispose();
  model.dispose();
  modelJson = JSON.parse(await readFile(join(temp.path, 'base', 'model.json'), 'utf8'));
  weights = new Uint8Array(await readFile(join(temp.path, 'base', 'weights.bin')));
});

afterAll(async () => {
  await temp.remove();
});

/** A model folder: `model.json` with hostile values or cut short, and its weights intact or damaged. */
const damagedFolder = () =>
  fc.record({
    json: fc.oneof(
      { weight: 4, arbitrary: damagedJson(modelJson).map((json) => JSON.stringify(json)) },
      {
        weight: 1,
        arbitrary: fc
          .nat()
          .map((end) => JSON.stringify(modelJson).slice(0, end % JSON.stringify(modelJson).length)),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
    ),
    weights: fc.oneof(fc.constant(weights), damagedBytes(weights)),
  });

describe('MaskDetector.load from a model folder under fuzzing', () => {
  it(
    'ends a damaged model.json or weights.bin in a detector, MODEL_UNREADABLE or MODEL_MISMATCH',
    async () => {
      await fc.assert(
        fc.asyncProperty(damagedFolder(), async ({ json, weights: bytes }) => {
          const folder = join(temp.path, `case-${folderNumber++}`);
          await mkdir(folder);
          await writeFile(join(folder, 'model.json'), json);
          await writeFile(join(folder, 'weights.bin'), bytes);
          const outcome = await typedOutcome(
            () => MaskDetector.load(join(folder, 'model.json')),
            MaskDetectorError,
            { codes: ['MODEL_UNREADABLE', 'MODEL_MISMATCH'], maxMilliseconds: 3000 },
          );
          if (outcome.ok) outcome.value.dispose();
        }),
        fuzzParameters(150),
      );
    },
    fuzzTimeout(30_000),
  );
});
