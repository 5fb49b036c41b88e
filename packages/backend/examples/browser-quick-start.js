import { createDenseTrainer, selectBackend } from '@actlab/backend';
import wasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// Bundlers do not copy tfjs-backend-wasm's binaries: pass their URLs. Select before making tensors.
const wasmPaths = {
  'tfjs-backend-wasm.wasm': wasm,
  'tfjs-backend-wasm-simd.wasm': simd,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimd,
};
console.log((await selectBackend('wasm', { wasmPaths })).reason);
const model = tfl.sequential();
model.add(tfl.layers.dense({ units: 32, inputShape: [784], activation: 'tanh' }));
model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
const xs = tf.randomNormal([512, 784], 0, 1, 'float32', 1);
const ys = tf.cast(tf.oneHot(tf.randomUniform([512], 0, 10, 'int32', 2), 10), 'float32');
const trainer = await createDenseTrainer(model, { optimizer: { name: 'sgd', learningRate: 0.01 } });
console.log('loss', trainer.trainEpoch(xs, ys, { batchSize: 64 }).loss.toFixed(4));
