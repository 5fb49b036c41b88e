import '@tensorflow/tfjs-backend-cpu';
import {
  activationLayer,
  formatInterval,
  getActivation,
  sampleActivation,
} from '@actlab/activations';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const lecun = getActivation('lecunTanh');
console.log(lecun.formula, formatInterval(lecun.range), formatInterval(lecun.derivativeRange));
console.log(
  'tanh saturates where',
  getActivation('tanh').saturationZones.map((z) => formatInterval(z)),
);
console.log(sampleActivation({ name: 'leakyRelu', alpha: 0.1 }, { from: -2, to: 2, steps: 5 }));

const model = tfl.sequential();
model.add(tfl.layers.dense({ units: 32, inputShape: [784] }));
model.add(activationLayer('lecunTanh'));
model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
console.log(model.predict(tf.zeros([1, 784])).shape);
