// Trains the seed CNN on MNIST on the WebAssembly backend and saves the best model so far to
// models/mnist-cnn/ (model.json, weights.bin, metrics.json) after every epoch that improves.
// Usage: ACTLAB_DATA_DIR=/work/shared/data nice -n 10 node scripts/train-classifier.mjs \
//   [--epochs 50] [--patience 3] [--budget-minutes 80] [--limit 6000] [--out models/mnist-cnn]
//   [--from models/mnist-cnn --learning-rate 0.0001]
// --from continues training a saved model (same seed = same validation split), typically with a
// smaller Adam learning rate: the fine-tuning stage of a run that was cut short by its budget.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend } from '@actlab/backend';
import { loadMnist } from '@actlab/mnist-loader';
import { measureAccuracy, trainMnistClassifier } from '../dist/index.js';
import { loadClassifier } from '../dist/node.js';
import {
  commandOf,
  epochRecorder,
  historyFigures,
  imagesOf,
  machineOf,
  writeJsonAtomically,
} from './training-run.mjs';

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
const trainSet = imagesOf(train, limit);
const testSet = imagesOf(test, limit);
const machine = machineOf(backend);
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
    ...historyFigures(history),
    trainSeconds: Math.round((Date.now() - started) / 1000),
    trainImages: trainSet.images.shape[0],
    testImages: testSet.images.shape[0],
    date: new Date().toISOString(),
    machine,
    backend: backend.name,
    command: commandOf(import.meta.url),
  };
  await writeJsonAtomically(path.join(outDir, 'metrics.json'), metrics);
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
  onEpoch: epochRecorder({ history, testSet, outDir, writeMetrics }),
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
