import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * A tiny 4-class problem on 8×8×1 images (class k = a bright quadrant k plus noise) and a small
 * classifier trained on it in about a second. Test support only.
 */
export async function tinyClassifier(): Promise<{
  model: tfl.LayersModel;
  images: tf.Tensor4D;
  labels: number[];
}> {
  const count = 200;
  const labels = Array.from({ length: count }, (_, i) => i % 4);
  const pixels = new Float32Array(count * 64);
  let random = 12345;
  const next = () => {
    random = (random * 1103515245 + 12345) % 2147483648;
    return random / 2147483648;
  };
  labels.forEach((label, n) => {
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const quadrant = (r < 4 ? 0 : 2) + (c < 4 ? 0 : 1);
        pixels[n * 64 + r * 8 + c] = (quadrant === label ? 0.6 : 0.1) + 0.3 * next();
      }
    }
  });
  const images = tf.tensor4d(pixels, [count, 8, 8, 1]);
  const ys = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 4), 'float32');
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [8, 8, 1] }));
  model.add(
    tfl.layers.dense({
      units: 16,
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(
    tfl.layers.dense({
      units: 4,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
    }),
  );
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  await model.fit(images, ys, { epochs: 30, batchSize: 50, shuffle: false, verbose: 0 });
  ys.dispose();
  return { model, images, labels };
}
