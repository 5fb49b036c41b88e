import { createDenseTrainer, selectBackend } from '@actlab/backend';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

console.log((await selectBackend('auto')).reason); // which tfjs backend and which trainer kernels
const model = tfl.sequential();
model.add(tfl.layers.dense({ units: 32, inputShape: [784], activation: 'tanh' }));
model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
const xs = tf.randomNormal([512, 784]);
const ys = tf.cast(tf.oneHot(tf.randomUniform([512], 0, 10, 'int32'), 10), 'float32');
const trainer = await createDenseTrainer(model, { optimizer: { name: 'sgd', learningRate: 0.01 } });
for (let epoch = 1; epoch <= 3; epoch++) {
  const { loss } = trainer.trainEpoch(xs, ys, { batchSize: 64 }); // writes weights into `model`
  console.log(`epoch ${epoch}: loss ${loss.toFixed(4)}`);
}
