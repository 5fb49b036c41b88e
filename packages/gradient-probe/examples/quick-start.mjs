import '@tensorflow/tfjs-backend-cpu';
import { probeGradients } from '@actlab/gradient-probe';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const model = tfl.sequential();
model.add(tfl.layers.dense({ units: 32, activation: 'sigmoid', inputShape: [784] }));
for (let i = 0; i < 8; i++) model.add(tfl.layers.dense({ units: 32, activation: 'sigmoid' }));
model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));

const xs = tf.randomUniform([32, 784], 0, 1, 'float32', 1);
const ys = tf.oneHot(
  tf.tensor1d(
    [...Array(32).keys()].map((i) => i % 10),
    'int32',
  ),
  10,
);
const probe = probeGradients(model, xs, ys, { loss: 'categoricalCrossentropy' });
for (const layer of probe.layers) {
  console.log(
    layer.layer,
    layer.kernel.maxAbs.toExponential(2),
    layer.activation?.saturatedFraction ?? '-',
  );
}
