import { fgsm, loadClassifierFromUrl, pgd } from '@actlab/adversarial-generator';
import modelUrl from '@actlab/adversarial-generator/models/mnist-cnn/model.json?url';
import weightsUrl from '@actlab/adversarial-generator/models/mnist-cnn/weights.bin?url';
import * as tf from '@tensorflow/tfjs-core';

// The shipped MNIST CNN; the bundler renames weights.bin, so its URL is passed too.
const classifier = await loadClassifierFromUrl(modelUrl, { weightsUrl });
const image = tf.zeros([28, 28, 1]); // a digit image, pixels in [0, 1]
const f = fgsm(classifier, image, { targetClass: 3, epsilon: 0.3 });
const p = pgd(classifier, image, { targetClass: 3, epsilon: 0.3, steps: 20 });
console.log('FGSM', f.success, f.confidence.toFixed(3), 'PGD', p.success, p.confidence.toFixed(3));
tf.dispose([image, f.adversarial, f.perturbation, p.adversarial, p.perturbation]);
classifier.dispose();
