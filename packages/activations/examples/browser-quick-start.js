import { activationLayer, getActivation, learnedParameters } from '@actlab/activations';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// Runs on whichever backend is active (see @actlab/backend's selectBackend).
console.log(getActivation('lecunTanh').formula);
const model = tfl.sequential();
model.add(tfl.layers.dense({ units: 8, inputShape: [4] }));
model.add(activationLayer('learnableSwish'));
model.add(tfl.layers.dense({ units: 1 }));
await model.save('indexeddb://actlab-quick-start'); // learnable activations round-trip
const loaded = await tfl.loadLayersModel('indexeddb://actlab-quick-start');
const output = tf.tidy(() => loaded.predict(tf.ones([2, 4])));
console.log(
  'activations',
  JSON.stringify(learnedParameters(loaded)),
  Array.from(await output.data()),
);
output.dispose();
