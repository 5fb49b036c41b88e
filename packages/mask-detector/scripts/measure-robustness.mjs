// The shipped classifier's validation metrics under perturbations of its validation crops (issue
// #20's robustness table): horizontal flip, brightness ±30 %, a 3×3 Gaussian blur, JPEG
// re-compression at quality 50, and scale 0.5× / 2× (the crop resized to half or double and back,
// so 0.5× loses detail as a face half as large would). Crops as the shipped weights were trained
// on (train-shipped-model.mjs: 48×48, seed 0, photo-grouped splits). Prints a Markdown table.
// Usage: ACTLAB_DATA_DIR=… node scripts/measure-robustness.mjs [--seed 0] [--size 48]
import { parseArgs } from 'node:util';
import { selectBackend } from '@actlab/backend';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { MaskDetector } from '../dist/index.js';
import { loadShippedData } from './shipped-data.mjs';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '0' },
    size: { type: 'string', default: '48' },
    'data-dir': { type: 'string' },
  },
});
const dataDir = values['data-dir'] ?? process.env.ACTLAB_DATA_DIR;
if (!dataDir) throw new Error('set ACTLAB_DATA_DIR or pass --data-dir');
const size = Number(values.size);
const backend = await selectBackend('auto');
const data = await loadShippedData(dataDir, { size, seed: Number(values.seed) });
const detector = await MaskDetector.load();
const sets = [
  ['face-mask-voc validation', data.voc.split.validation],
  ['face-mask validation', data.shift(data.folders.split.validation)],
];

/** Each crop through JPEG at quality 50 and back. */
async function jpeg(images) {
  const [count, height, width] = images.shape;
  const pixels = await tf.tidy(() => tf.cast(tf.round(tf.mul(images, 255)), 'int32')).data();
  const out = new Float32Array(pixels.length);
  const each = height * width * 3;
  for (let i = 0; i < count; i++) {
    const raw = Buffer.from(Uint8Array.from(pixels.subarray(i * each, (i + 1) * each)));
    const encoded = await sharp(raw, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 50 })
      .toBuffer();
    const decoded = await sharp(encoded).raw().toBuffer();
    for (let j = 0; j < each; j++) out[i * each + j] = (decoded[j] ?? 0) / 255;
  }
  return tf.tensor4d(out, images.shape);
}

const gaussian = tf.tidy(() => {
  const k = tf.tensor1d([1, 2, 1]);
  const kernel = tf.div(tf.outerProduct(k, k), 16);
  return tf.tile(tf.reshape(kernel, [3, 3, 1, 1]), [1, 1, 3, 1]);
});
const resizedThrough = (images, factor) =>
  tf.image.resizeBilinear(
    tf.image.resizeBilinear(images, [Math.round(size * factor), Math.round(size * factor)]),
    [size, size],
  );
const perturbations = [
  ['none', (x) => tf.clone(x)],
  ['horizontal flip', (x) => tf.image.flipLeftRight(x)],
  ['brightness +30 %', (x) => tf.clipByValue(tf.mul(x, 1.3), 0, 1)],
  ['brightness −30 %', (x) => tf.mul(x, 0.7)],
  ['blur (3×3 Gaussian)', (x) => tf.depthwiseConv2d(x, gaussian, 1, 'same')],
  ['JPEG quality 50', jpeg],
  ['scale 0.5×', (x) => resizedThrough(x, 0.5)],
  ['scale 2×', (x) => resizedThrough(x, 2)],
];

console.log(
  `${backend.reason}; shipped weights of ${detector.classNames.join(' / ')}; ${new Date().toISOString()}`,
);
console.log(
  `| perturbation | ${sets.map(([name, indices]) => `${name} (${indices.length}): accuracy / balanced`).join(' | ')} |`,
);
console.log(`| --- | ${sets.map(() => '---:').join(' | ')} |`);
for (const [name, perturb] of perturbations) {
  // tidy cannot hold an async function: JPEG's round trip manages its own tensors.
  const inputs = perturb === jpeg ? await jpeg(data.images) : tf.tidy(() => perturb(data.images));
  const cells = [];
  for (const [, indices] of sets) {
    const m = await data.evaluate(detector.model, indices, inputs);
    cells.push(`${m.accuracy.toFixed(4)} / ${m.balancedAccuracy.toFixed(4)}`);
  }
  console.log(`| ${name} | ${cells.join(' | ')} |`);
  inputs.dispose();
}
detector.dispose();
