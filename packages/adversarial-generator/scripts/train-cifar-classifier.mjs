// Trains a CIFAR-10 CNN on the WebAssembly backend: the seed report's network with flips and
// shifts (--model report, the default) or the course notebook's (--model notebook, no
// augmentation, early stopping with patience 8). After every epoch it writes a checkpoint
// (--checkpoint, default runs/<out name>-checkpoint/: weights, Adam's moments, the history)
// and, when validation accuracy improved, the best model to <out>/ (model.json, weights.bin,
// metrics.json); --resume continues from the checkpoint with the same split, shuffles and
// augmentation as an uninterrupted run.
// Usage: ACTLAB_DATA_DIR=/work/shared/data nice -n 10 node scripts/train-cifar-classifier.mjs \
//   [--model report|notebook] [--format images|binary] [--epochs 100] [--patience N]
//   [--budget-minutes M] [--limit N] [--out models/cifar-cnn] [--resume]
//   [--checkpoint dir] [--path folder-or-archive]
//   [--time-batches N]   (only time N training batches and extrapolate one epoch, then exit)
// --format images reads the JPEG copy cifar-10/cifar-10-images.tar.gz (what this repository's
// data folder has); --format binary the official cifar-10-binary.tar.gz.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend } from '@actlab/backend';
import { loadCifar10 } from '@actlab/mnist-loader/cifar10';
import * as tf from '@tensorflow/tfjs-core';
import {
  buildCifarClassifier,
  buildCifarNotebookClassifier,
  imageAugmentation,
  measureAccuracy,
  trainMnistClassifier,
} from '../dist/index.js';
import { loadClassifier, saveClassifier } from '../dist/node.js';
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
    model: { type: 'string', default: 'report' },
    format: { type: 'string', default: 'images' },
    path: { type: 'string' },
    epochs: { type: 'string', default: '100' },
    patience: { type: 'string' },
    'budget-minutes': { type: 'string' },
    limit: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'batch-size': { type: 'string', default: '64' },
    'learning-rate': { type: 'string', default: '0.001' },
    resume: { type: 'boolean', default: false },
    checkpoint: { type: 'string' },
    'time-batches': { type: 'string' },
  },
});
const report = values.model === 'report';
if (!report && values.model !== 'notebook') throw new Error('--model must be report or notebook');
const outDir = path.resolve(
  values.out ?? path.join(here, '..', 'models', report ? 'cifar-cnn' : 'cifar-notebook-cnn'),
);
// Outside models/ (which is published) and ignored by git: runs/<out name>-checkpoint.
const checkpointDir = path.resolve(
  values.checkpoint ?? path.join(here, '..', 'runs', `${path.basename(outDir)}-checkpoint`),
);
const seed = Number(values.seed);
const batchSize = Number(values['batch-size']);
const build = () =>
  report ? buildCifarClassifier({ seed }) : buildCifarNotebookClassifier({ seed });
// The report trained 100 epochs with augmentation; the notebook stopped early (patience 8).
const patience = Number(values.patience ?? (report ? values.epochs : 8));
const augment = report ? imageAugmentation() : undefined;

const backend = await selectBackend('wasm');
console.log(backend.reason);
const loadStarted = Date.now();
// --limit N: the loader's balanced limit (the first N/10 images of each class in each split, only
// those decoded); the first N images of the class-ordered JPEG copy would all be airplanes.
const { train, test } = await loadCifar10({
  format: values.format,
  download: false,
  ...(values.path ? { path: values.path } : {}),
  ...(values.limit ? { limit: Number(values.limit) } : {}),
});
const trainSet = imagesOf(train);
const testSet = imagesOf(test);
console.log(
  `loaded ${trainSet.images.shape[0]} + ${testSet.images.shape[0]} images in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s`,
);
const machine = machineOf(backend);

if (values['time-batches']) {
  // Times training steps as the loop runs them (augmentation included), after 3 warm-up steps.
  const steps = Number(values['time-batches']);
  const model = build();
  model.compile({
    optimizer: tf.train.adam(Number(values['learning-rate'])),
    loss: 'categoricalCrossentropy',
  });
  const step = async (i) => {
    const [xs, ys] = tf.tidy(() => {
      const start = (i * batchSize) % (trainSet.images.shape[0] - batchSize);
      const x = tf.slice(trainSet.images, start, batchSize);
      return [augment ? augment(x, i) : x, tf.slice(trainSet.labels, start, batchSize)];
    });
    await model.trainOnBatch(xs, ys);
    tf.dispose([xs, ys]);
  };
  for (let i = 0; i < 3; i++) await step(i);
  // CPU time beside wall time: on a shared machine the wall clock also counts other jobs.
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (let i = 0; i < steps; i++) await step(i + 3);
  const perBatch = (performance.now() - started) / steps;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuPerBatch = (cpu.user + cpu.system) / 1000 / steps;
  const batchesPerEpoch = Math.ceil(45000 / batchSize);
  const evalStarted = performance.now();
  measureAccuracy(model, tf.slice(trainSet.images, 0, 1000), tf.slice(trainSet.labels, 0, 1000));
  const evalPer1000 = performance.now() - evalStarted;
  const epochSeconds = (perBatch * batchesPerEpoch + evalPer1000 * 5) / 1000;
  const cpuEpochSeconds = (epochSeconds * cpuPerBatch) / perBatch;
  console.log(
    `${values.model}: ${steps} batches of ${batchSize}${augment ? ' (augmented)' : ''}: ${perBatch.toFixed(0)} ms per batch (${cpuPerBatch.toFixed(0)} ms of CPU time; one epoch ≈ ${(cpuEpochSeconds / 60).toFixed(1)} min on an idle core); one epoch (${batchesPerEpoch} batches + 5 000 validation images) ≈ ${(epochSeconds / 60).toFixed(1)} min; 100 epochs ≈ ${((epochSeconds * 100) / 3600).toFixed(1)} h on ${machine}`,
  );
  process.exit(0);
}

/** Current weights, Adam's moments and the history, replacing the previous checkpoint. */
async function saveCheckpoint(model, history) {
  const next = `${checkpointDir}.next`;
  await rm(next, { recursive: true, force: true });
  await saveClassifier(model, next);
  const optimizer = await model.optimizer.getWeights();
  const specs = optimizer.map(({ name, tensor }) => ({ name, shape: tensor.shape }));
  const bytes = new Float32Array(optimizer.reduce((sum, { tensor }) => sum + tensor.size, 0));
  let offset = 0;
  for (const { tensor } of optimizer) {
    bytes.set(await tensor.data(), offset);
    offset += tensor.size;
  }
  await writeFile(path.join(next, 'optimizer.bin'), new Uint8Array(bytes.buffer));
  await writeFile(
    path.join(next, 'state.json'),
    JSON.stringify({ history, optimizer: specs, seed }, null, 2),
  );
  await mkdir(path.dirname(checkpointDir), { recursive: true });
  await rm(checkpointDir, { recursive: true, force: true });
  await rename(next, checkpointDir);
}

async function loadCheckpoint() {
  const state = JSON.parse(await readFile(path.join(checkpointDir, 'state.json'), 'utf8'));
  if (state.seed !== seed) throw new Error(`the checkpoint was made with --seed ${state.seed}`);
  const model = await loadClassifier(checkpointDir);
  const raw = await readFile(path.join(checkpointDir, 'optimizer.bin'));
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let offset = 0;
  const optimizerWeights = state.optimizer.map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const tensor = tf.tensor(all.subarray(offset, offset + size), shape);
    offset += size;
    return { name, tensor };
  });
  const bestModel = await loadClassifier(outDir);
  const bestWeights = bestModel.getWeights().map((weight) => weight.clone());
  bestModel.dispose();
  return { model, resume: { epochs: state.history, bestWeights, optimizerWeights } };
}

const resumed = values.resume ? await loadCheckpoint() : undefined;
if (resumed) console.log(`resuming after epoch ${resumed.resume.epochs.length}`);
await mkdir(outDir, { recursive: true });
const history = [...(resumed?.resume.epochs ?? [])];

async function writeMetrics(extra) {
  const metrics = {
    ...extra,
    model: values.model,
    data:
      values.format === 'images'
        ? 'the JPEG copy (cifar-10-images.tar.gz)'
        : 'cifar-10-binary.tar.gz',
    augmentation: augment ? 'horizontal flips, width and height shifts of up to 0.1' : 'none',
    learningRate: Number(values['learning-rate']),
    batchSize,
    ...historyFigures(history),
    trainSeconds: Math.round(history.reduce((sum, e) => sum + e.seconds, 0)),
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
  model: resumed?.model ?? build(),
  maxEpochs: Number(values.epochs),
  patience,
  batchSize,
  seed,
  learningRate: Number(values['learning-rate']),
  ...(augment ? { augment } : {}),
  ...(resumed ? { resume: resumed.resume } : {}),
  ...(values['budget-minutes'] ? { timeBudgetSeconds: Number(values['budget-minutes']) * 60 } : {}),
  onEpoch: epochRecorder({
    history,
    testSet,
    outDir,
    writeMetrics,
    afterEpoch: (model) => saveCheckpoint(model, history),
  }),
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
