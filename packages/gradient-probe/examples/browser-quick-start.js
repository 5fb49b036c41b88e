import { probeGradients } from '@actlab/gradient-probe';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const init = (seed) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed }) });
const model = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [784] })] });
for (let i = 1; i <= 6; i++)
  model.add(tfl.layers.dense({ units: 32, activation: 'sigmoid', ...init(i) }));
model.add(tfl.layers.dense({ units: 10, activation: 'softmax', ...init(7) }));
const xs = tf.randomUniform([256, 784], 0, 1, 'float32', 8);
const ys = tf.oneHot(tf.randomUniform([256], 0, 10, 'int32', 9), 10);
const { layers } = probeGradients(model, xs, ys, { loss: 'categoricalCrossentropy' });
for (const { layer, kernel } of layers) console.log('probe', layer, kernel.maxAbs.toExponential(1));
tf.dispose([xs, ys]);
