// Overhead of probing once per epoch inside model.fit: an MLP 784-128-64-10 on 10 000 random
// samples, batch 64, with a 256-sample probe batch. Prints figures; it is not a test.
// Run: corepack pnpm --filter @actlab/gradient-probe bench   (BACKEND=wasm etc. to change backend)
import '@tensorflow/tfjs-backend-cpu';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { gradientProbeCallback, probeGradients } from '../dist/index.js';

await tf.setBackend(process.env.BACKEND ?? 'cpu');
const samples = 10_000;
const rounds = 3;
const epochsPerRun = 2;
const xs = tf.randomUniform([samples, 784], 0, 1, 'float32', 1);
const ys = tf.oneHot(tf.randomUniform([samples], 0, 10, 'int32', 2), 10);
const probeXs = tf.slice(xs, 0, 256);
const probeYs = tf.slice(ys, 0, 256);

function makeModel() {
  const dense = (units, activation, seed, extra = {}) =>
    tfl.layers.dense({
      units,
      activation,
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      ...extra,
    });
  const model = tfl.sequential({
    layers: [
      dense(128, 'relu', 1, { inputShape: [784] }),
      dense(64, 'relu', 2),
      dense(10, 'softmax', 3),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
  return model;
}

async function secondsPerEpoch(withProbe) {
  const model = makeModel();
  const callbacks = withProbe ? [gradientProbeCallback({ xs: probeXs, ys: probeYs })] : [];
  const start = performance.now();
  await model.fit(xs, ys, {
    epochs: epochsPerRun,
    batchSize: 64,
    shuffle: false,
    verbose: 0,
    callbacks,
  });
  const seconds = (performance.now() - start) / 1000 / epochsPerRun;
  model.dispose();
  return seconds;
}

const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Alternate the two so that drifting machine load hits both alike; report medians.
const plain = [];
const probed = [];
for (let round = 0; round < rounds; round++) {
  plain.push(await secondsPerEpoch(false));
  probed.push(await secondsPerEpoch(true));
}

const model = makeModel();
const probeTimes = [];
for (let i = 0; i < 7; i++) {
  const start = performance.now();
  probeGradients(model, probeXs, probeYs);
  probeTimes.push(performance.now() - start);
}
const bothTimes = [];
for (let i = 0; i < 3; i++) {
  const start = performance.now();
  probeGradients(model, probeXs, probeYs, { target: 'both' });
  bothTimes.push(performance.now() - start);
}
model.dispose();

const a = median(plain);
const b = median(probed);
console.log(
  `backend ${tf.getBackend()}, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}`,
);
console.log(
  `MLP 784-128-64-10, ${samples} samples, batch 64, probe batch 256, medians of ${rounds} alternating rounds of ${epochsPerRun} epochs`,
);
console.log(`epoch without probe:          ${a.toFixed(3)} s`);
console.log(`epoch with a probe per epoch: ${b.toFixed(3)} s`);
console.log(`overhead:                     ${(((b - a) / a) * 100).toFixed(2)} % of an epoch`);
console.log(
  `one probe (weights):          ${median(probeTimes).toFixed(1)} ms = ${((median(probeTimes) / 1000 / a) * 100).toFixed(2)} % of an epoch`,
);
console.log(`one probe (weights + input):  ${median(bothTimes).toFixed(1)} ms`);
