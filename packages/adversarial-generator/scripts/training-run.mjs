// What the training scripts share: images as tensors, the machine line, atomic JSON writes and
// the per-epoch save of an improved model.
import { rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { toTensors } from '@actlab/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import { measureAccuracy } from '../dist/index.js';
import { saveClassifier } from '../dist/node.js';

/** A loaded set as `{images, labels}` tensors ([n, h, w, c] in [0, 1], one-hot), the first `limit`. */
export function imagesOf(set, limit) {
  const { xs, ys } = toTensors(set);
  const count = limit ? Math.min(limit, xs.shape[0]) : xs.shape[0];
  const images = tf.slice(xs, 0, count);
  const labels = tf.slice(ys, 0, count);
  tf.dispose([xs, ys]);
  return { images, labels };
}

/** CPU, cores, Node and backend, for metrics.json. */
export function machineOf(backend) {
  return `${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores, shared), Node ${process.version}, tfjs ${backend.name}${backend.simd ? ' SIMD' : ''} ${backend.threads ?? 1} thread`;
}

/** Writes JSON to a temp file, then renames it into place. */
export async function writeJsonAtomically(file, value) {
  await writeFile(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/**
 * The `onEpoch` of both scripts: records the epoch, and when it improved measures the test set,
 * saves the model to `outDir` and calls `writeMetrics` with the figures; then `afterEpoch`.
 */
export function epochRecorder({ history, testSet, outDir, writeMetrics, afterEpoch }) {
  return async (epoch, model) => {
    history.push(epoch);
    let note = '';
    if (epoch.improved) {
      const testAccuracy = measureAccuracy(model, testSet.images, testSet.labels);
      await saveClassifier(model, outDir);
      await writeMetrics({
        finished: false,
        bestEpoch: epoch.epoch,
        validationAccuracy: epoch.validationAccuracy,
        testAccuracy,
      });
      note = ` test ${testAccuracy.toFixed(4)} (saved)`;
    }
    await afterEpoch?.(model);
    console.log(
      `epoch ${epoch.epoch}: loss ${epoch.trainLoss.toFixed(4)} val ${epoch.validationAccuracy.toFixed(4)}${note} ${epoch.seconds.toFixed(0)} s`,
    );
  };
}

/** The figures per epoch that both scripts put in metrics.json. */
export function historyFigures(history) {
  return {
    validationAccuracyPerEpoch: history.map((e) => e.validationAccuracy),
    lossPerEpoch: history.map((e) => e.trainLoss),
    secondsPerEpoch: history.map((e) => Math.round(e.seconds)),
    epochsRun: history.length,
  };
}

/** How the script was run, for metrics.json. */
export function commandOf(script) {
  return `ACTLAB_DATA_DIR=… nice -n 10 node scripts/${path.basename(script)} ${process.argv.slice(2).join(' ')}`.trim();
}
