import '@tensorflow/tfjs-backend-cpu';
import { activationLayer, getActivation, learnedParameters } from '@actlab/activations';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const lecun = getActivation('lecunTanh');
console.log(lecun.formula, lecun.derivativeRange, lecun.saturationZones, lecun.gain);

const model = tfl.sequential();
model.add(tfl.layers.dense({ units: 8, inputShape: [4] }));
model.add(activationLayer('lecunTanh'));
model.add(tfl.layers.dense({ units: 1 }));
model.add(activationLayer('learnableSwish'));
model.predict(tf.ones([2, 4])).print();
console.dir(learnedParameters(model), { depth: null });
