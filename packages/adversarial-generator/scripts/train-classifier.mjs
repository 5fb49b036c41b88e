// Trains the seed CNN on MNIST on the WebAssembly backend and saves the best model so far to
// models/mnist-cnn/ (model.json, weights.bin, metrics.json) after every epoch that improves.
// Usage: ACTLAB_DATA_DIR=/work/shared/data nice -n 10 node scripts/train-classifier.mjs \
//   [--epochs 50] [--patience 3] [--budget-minutes 80] [--limit 6000] [--out models/mnist-cnn]
//   [--from models/mnist-cnn --learning-rate 0.0001]
// --from continues training a saved model (same seed = same validation split), typically with a
// smaller Adam learning rate: the fine-tuning stage of a run that was cut short by its budget.
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend } from '@actlab/backend';
import { loadMnist, toTensors } from '@actlab/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import {
  loadClassifier,
  measureAccuracy,
  saveClassifier,
  trainMnistClassifier,
} from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '50' },
    patience: { type: 'string', default: '3' },
    'budget-minutes': { type: 'string' },
    limit: { type: 'string' },
    out: { type: 'string', default: path.join(here, '..', 'models', 'mnist-cnn') },
    seed: { type: 'string', default: '1' },
    from: { type: 'string' },
    'learning-rate': { type: 'string', default: '0.001' },
  },
});
const outDir = path.resolve(values.out);
const limit = values.limit ? Number(values.limit) : undefined;

const backend = await selectBackend('wasm');
console.log(backend.reason);
const { train, test } = await loadMnist({ dataset: 'mnist', download: false });
const asImages = (set) => {
  const { xs, ys } = toTensors(set);
  const count = limit ? Math.min(limit, xs.shape[0]) : xs.shape[0];
  const images = tf.slice(xs, 0, count);
  const labels = tf.slice(ys, 0, count);
  tf.dispose([xs, ys]);
  return { images, labels };
};
const trainSet = asImages(train);
const testSet = asImages(test);
const machine = `${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores, shared), Node ${process.version}, tfjs ${backend.name}${backend.simd ? ' SIMD' : ''} ${backend.threads ?? 1} thread`;
const fromDir = values.from ? path.resolve(values.from) : undefined;
const startModel = fromDir ? await loadClassifier(fromDir) : undefined;
const startTestAccuracy = startModel
  ? measureAccuracy(startModel, testSet.images, testSet.labels)
  : undefined;
// The earlier stage's record travels with the weights, so metrics.json tells the whole story.
const earlierStage = fromDir
  ? await readFile(path.join(fromDir, 'metrics.json'), 'utf8').then(JSON.parse, () => null)
  : null;
if (startModel) console.log(`continuing ${values.from}: test ${startTestAccuracy.toFixed(4)}`);
const started = Date.now();
const history = [];

async function writeMetrics(extra) {
  const metrics = {
    ...extra,
    ...(startModel ? { continuedFrom: { testAccuracy: startTestAccuracy, earlierStage } } : {}),
    learningRate: Number(values['learning-rate']),
    validationAccuracyPerEpoch: history.map((e) => e.validationAccuracy),
    lossPerEpoch: history.map((e) => e.trainLoss),
    secondsPerEpoch: history.map((e) => Math.round(e.seconds)),
    epochsRun: history.length,
    trainSeconds: Math.round((Date.now() - started) / 1000),
    trainImages: trainSet.images.shape[0],
    testImages: testSet.images.shape[0],
    date: new Date().toISOString(),
    machine,
    backend: backend.name,
    command:
      `ACTLAB_DATA_DIR=… nice -n 10 node scripts/train-classifier.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  };
  const file = path.join(outDir, 'metrics.json');
  await writeFile(`${file}.tmp`, `${JSON.stringify(metrics, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

const result = await trainMnistClassifier({
  train: trainSet,
  test: testSet,
  maxEpochs: Number(values.epochs),
  patience: Number(values.patience),
  seed: Number(values.seed),
  learningRate: Number(values['learning-rate']),
  ...(startModel ? { model: startModel } : {}),
  ...(values['budget-minutes'] ? { timeBudgetSeconds: Number(values['budget-minutes']) * 60 } : {}),
  onEpoch: async (epoch, model) => {
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
    console.log(
      `epoch ${epoch.epoch}: loss ${epoch.trainLoss.toFixed(4)} val ${epoch.validationAccuracy.toFixed(4)}${note} ${epoch.seconds.toFixed(0)} s`,
    );
  },
});
await writeMetrics({
  finished: true,
  stoppedBy: result.stoppedBy,
  bestEpoch: result.bestEpoch,
  validationAccuracy: result.validationAccuracy,
  testAccuracy: result.testAccuracy,
});
console.log(
  `done: best epoch ${result.bestEpoch}, val ${result.validationAccuracy.toFixed(4)}, test ${result.testAccuracy?.toFixed(4)}, stopped by ${result.stoppedBy}, ${Math.round(result.seconds)} s`,
);
