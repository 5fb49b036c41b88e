// Overhead of probing once per epoch inside model.fit, on the CPU backend:
// an MLP 784-128-64-10 on 10 000 random samples, batch 64, probe batch 256.
// Run: corepack pnpm --filter @actlab/gradient-probe bench
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { gradientProbeCallback } from '../dist/index.js';

await tf.setBackend(process.env.BACKEND ?? 'cpu');
const samples = 10_000;
const xs = tf.randomUniform([samples, 784], 0, 1, 'float32', 1);
const ys = tf.oneHot(tf.randomUniform([samples], 0, 10, 'int32', 2), 10);
const probeXs = tf.slice(xs, 0, 256);
const probeYs = tf.slice(ys, 0, 256);

function makeModel() {
  const model = tfl.sequential();
  model.add(
    tfl.layers.dense({
      units: 128,
      activation: 'relu',
      inputShape: [784],
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(
    tfl.layers.dense({
      units: 64,
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
    }),
  );
  model.add(
    tfl.layers.dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
    }),
  );
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
  return model;
}

async function epochSeconds(withProbe) {
  const model = makeModel();
  const callbacks = withProbe ? [gradientProbeCallback({ xs: probeXs, ys: probeYs })] : [];
  const start = performance.now();
  await model.fit(xs, ys, { epochs: 2, batchSize: 64, shuffle: false, verbose: 0, callbacks });
  model.dispose();
  return (performance.now() - start) / 2000;
}

// Alternate the two so drifting machine load hits both alike; report medians.
const plain = [];
const probed = [];
for (let round = 0; round < 3; round++) {
  plain.push(await epochSeconds(false));
  probed.push(await epochSeconds(true));
}
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const a = median(plain);
const b = median(probed);
console.log(
  `backend ${tf.getBackend()}, MLP 784-128-64-10, ${samples} samples, batch 64, probe batch 256, 3 rounds`,
);
console.log(`epoch without probe: ${a.toFixed(3)} s`);
console.log(`epoch with a probe per epoch: ${b.toFixed(3)} s`);
console.log(`overhead: ${(((b - a) / a) * 100).toFixed(2)} % of an epoch`);
