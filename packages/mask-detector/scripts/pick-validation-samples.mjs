// Lists a few validation crops of the shipped model's split (same loader options and seed as
// train-shipped-model.mjs) into src/test-support/validation-samples.json, for the test that
// classifies real validation faces with the shipped weights. Usage: node scripts/pick-validation-samples.mjs
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadFaceMaskDataset } from '../dist/index.js';

const dataDir = process.env.ACTLAB_DATA_DIR;
if (!dataDir) throw new Error('set ACTLAB_DATA_DIR');
await tf.setBackend('cpu');
const picked = [];
for (const [set, options, perClass] of [
  [
    'face-mask-voc',
    { format: 'voc', size: 8, classes: 2, margin: 0.1, minBoxSize: 10, seed: 0 },
    8,
  ],
  ['face-mask', { format: 'folders', size: 8, seed: 0 }, 4],
]) {
  const data = await loadFaceMaskDataset(join(dataDir, set), options);
  for (const label of [0, 1]) {
    // Evenly spaced through the validation split, faces of at least 24 px: not hand-picked.
    const candidates = data.split.validation.filter(
      (i) =>
        data.samples[i].label === label &&
        (!data.samples[i].box ||
          Math.min(data.samples[i].box.width, data.samples[i].box.height) >= 24),
    );
    for (let k = 0; k < perClass && candidates.length > 0; k++) {
      const sample = data.samples[candidates[Math.floor((k * candidates.length) / perClass)]];
      picked.push({
        set,
        file: relative(dataDir, sample.file),
        ...(sample.box ? { box: sample.box } : {}),
        label: data.classNames[label],
      });
    }
  }
  tf.dispose([data.images, data.labels]);
}
await writeFile(
  new URL('../src/test-support/validation-samples.json', import.meta.url),
  `${JSON.stringify(picked, null, 2)}\n`,
);
console.log(`picked ${picked.length} validation samples`);
