import { gradientProbeCallback } from '@actlab/gradient-probe';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// Record per-layer gradients while the model trains in the page (e.g. to plot them live).
const model = tfl.sequential();
model.add(tfl.layers.dense({ units: 32, inputShape: [784], activation: 'sigmoid' }));
model.add(tfl.layers.dense({ units: 32, activation: 'sigmoid' }));
model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
const xs = tf.randomUniform([256, 784], 0, 1, 'float32', 8);
const ys = tf.cast(tf.oneHot(tf.randomUniform([256], 0, 10, 'int32', 9), 10), 'float32');
const probe = gradientProbeCallback({ xs, ys }); // probes on this batch after every epoch
await model.fit(xs, ys, { epochs: 2, batchSize: 64, callbacks: [probe] });
for (const { epoch, probe: p } of probe.series)
  console.log('probe', epoch, p.layers.map((l) => l.kernel.l2Norm.toExponential(1)).join(' '));
tf.dispose([xs, ys]);
