// The crops the shipped weights are trained and measured on, for train-shipped-model.mjs and
// measure-robustness.mjs: both face-mask sets at one size, their photo-grouped splits, and every
// crop in one tensor (face-mask-voc first, then face-mask).
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { classificationMetrics, loadFaceMaskDataset, predictBatches } from '../dist/index.js';

export async function loadShippedData(dataDir, { size, seed }) {
  const voc = await loadFaceMaskDataset(join(dataDir, 'face-mask-voc'), {
    format: 'voc',
    size,
    classes: 2,
    margin: 0.1,
    minBoxSize: 10,
    seed,
  });
  const folders = await loadFaceMaskDataset(join(dataDir, 'face-mask'), {
    format: 'folders',
    size,
    seed,
  });
  const offset = voc.samples.length;
  const shift = (indices) => indices.map((i) => i + offset);
  const images = tf.concat([voc.images, folders.images]);
  const labels = [...voc.labelIndices, ...folders.labelIndices];
  /** Metrics of `model` on the crops at `indices` (of `inputs`, default the crops). */
  const evaluate = async (model, indices, inputs = images) => {
    const predictions = await predictBatches(model, inputs, indices);
    return classificationMetrics(
      indices.map((i) => labels[i]),
      predictions.predicted,
      voc.classNames,
    );
  };
  return { voc, folders, offset, shift, images, labels, classNames: voc.classNames, evaluate };
}
