// Trains the seed CNN on MNIST and saves it to models/mnist-cnn/ with a JSON of measured figures.
// Usage: ACTLAB_DATA_DIR=/work/shared/data nice -n 10 node scripts/train-classifier.mjs [--epochs 50]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@actlab/backend';
import { loadMnist, splitTrainValidation, toTensors } from '@actlab/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import { buildMnistClassifier, saveClassifier } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, '..', 'models', 'mnist-cnn');
const epochsArg = process.argv.indexOf('--epochs');
const maxEpochs = epochsArg > 0 ? Number(process.argv[epochsArg + 1]) : 50;

const backend = await selectBackend('cpu'); // tfjs-wasm 4.22 has no Conv2DBackpropFilter kernel;
console.log(backend.reason);
const { train, test } = await loadMnist({ dataset: 'mnist', download: false });
const { train: fit, validation } = splitTrainValidation(train, {
  validationFraction: 0.1,
  seed: 1,
});
const fitT = toTensors(fit);
const valT = toTensors(validation);
const testT = toTensors(test);
const model = buildMnistClassifier({ seed: 1 });
model.compile({
  optimizer: tf.train.adam(0.001),
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
});

const started = Date.now();
let best = -1;
let bestEpoch = 0;
let bestWeights = null;
let epochsRun = 0;
function evaluate(xs, ys) {
  return tf.tidy(() => {
    const p = model.predict(xs, { batchSize: 500 });
    return tf.mean(tf.cast(tf.equal(tf.argMax(p, 1), tf.argMax(ys, 1)), 'float32')).dataSync()[0];
  });
}
async function saveBest(final) {
  const current = model.getWeights().map((w) => w.clone());
  model.setWeights(bestWeights);
  const testAccuracy = evaluate(testT.xs, testT.ys);
  mkdirSync(outDir, { recursive: true });
  await saveClassifier(model, outDir);
  writeFileSync(
    path.join(outDir, 'training.json'),
    `${JSON.stringify(
      {
        testAccuracy,
        validationAccuracy: best,
        bestEpoch,
        epochsRun,
        finished: final,
        trainSeconds: Math.round((Date.now() - started) / 1000),
        date: new Date().toISOString(),
        machine: `${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores, shared), Node ${process.version}, tfjs ${backend.name}${backend.simd ? ' SIMD' : ''} ${backend.threads ?? 1} thread`,
        command: 'ACTLAB_DATA_DIR=/work/shared/data nice -n 10 node scripts/train-classifier.mjs',
      },
      null,
      2,
    )}\n`,
  );
  model.setWeights(current);
  tf.dispose(current);
  console.log(
    `saved best (epoch ${bestEpoch}): val ${best.toFixed(4)} test ${testAccuracy.toFixed(4)}`,
  );
}
let patience = 0;
for (let epoch = 1; epoch <= maxEpochs; epoch++) {
  const t0 = Date.now();
  await model.fit(fitT.xs, fitT.ys, { batchSize: 64, epochs: 1, shuffle: true, verbose: 0 });
  epochsRun = epoch;
  const val = evaluate(valT.xs, valT.ys);
  console.log(`epoch ${epoch}: val ${val.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  if (val > best) {
    best = val;
    bestEpoch = epoch;
    if (bestWeights) tf.dispose(bestWeights);
    bestWeights = model.getWeights().map((w) => w.clone());
    patience = 0;
    await saveBest(false);
  } else if (++patience >= 3) break;
}
await saveBest(true);
