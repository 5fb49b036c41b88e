import { generatorAttack, pgd } from '@actlab/adversarial-generator';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// Any tfjs image classifier [h, w, c] -> softmax works; here a small untrained one.
const model = tfl.sequential();
model.add(tfl.layers.flatten({ inputShape: [8, 8, 1] }));
model.add(tfl.layers.dense({ units: 4, activation: 'softmax' }));
const image = tf.randomUniform([8, 8, 1], 0, 1, 'float32', 1);
const options = { targetClass: 2, attackSteps: 300, learningRate: 0.01, confidence: 0.9, seed: 1 };
const g = generatorAttack(model, image, options);
const p = pgd(model, image, { targetClass: 2, epsilon: 0.3, steps: 40 });
console.log('generator', g.success, g.confidence.toFixed(3), 'L2', g.l2.toFixed(2));
console.log('PGD', p.success, p.confidence.toFixed(3), 'Linf', p.linf.toFixed(2));
