// Live tensors and resident memory across epochs: the fused trainer and stock model.fit (with
// @actlab/backend's kernels) each train a 20 × 32 tanh MLP on random MNIST-shaped data, then
// model.fit trains a CNN in the seed's style (Conv 5×5 → BatchNorm → ReLU → MaxPool, twice, then
// Dense) through the conv kernels and their fused gradients, on a tenth as many images.
//
//   node bench/memory-across-epochs.mjs [--epochs=10] [--samples=10000]
//
// Needs `corepack pnpm --filter @actlab/backend build` first.
import { createRequire } from 'node:module';

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key, value];
  }),
);
const epochs = Number(args.get('epochs') ?? 10);
const samples = Number(args.get('samples') ?? 10_000);

const require = createRequire(new URL('../packages/backend/package.json', import.meta.url));
const tf = await import(require.resolve('@tensorflow/tfjs-core'));
const tfl = await import(require.resolve('@tensorflow/tfjs-layers'));
const { createDenseTrainer, selectBackend } = await import(
  new URL('../packages/backend/dist/index.js', import.meta.url).href
);
const choice = await selectBackend('auto');

function buildModel() {
  const model = tfl.sequential();
  for (let index = 0; index < 19; index++) {
    model.add(
      tfl.layers.dense({
        units: 32,
        activation: 'tanh',
        ...(index === 0 ? { inputShape: [784] } : {}),
        kernelInitializer: tfl.initializers.glorotUniform({ seed: index }),
      }),
    );
  }
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

const xs = Float32Array.from({ length: samples * 784 }, (_, i) => ((i * 7919) % 1000) / 1000);
const ys = new Float32Array(samples * 10);
for (let row = 0; row < samples; row++) ys[row * 10 + ((row * 31) % 10)] = 1;
const mib = () => (process.memoryUsage().rss / 2 ** 20).toFixed(1);

console.log(`backend: ${choice.reason}; ${samples} samples per epoch`);
console.log('| trainer | epoch | live tensors | RSS (MiB) |');
console.log('|---|---|---|---|');

const fusedModel = buildModel();
const trainer = await createDenseTrainer(fusedModel, {
  optimizer: { name: 'adam', learningRate: 0.001 },
  batchSize: 64,
});
for (let epoch = 1; epoch <= epochs; epoch++) {
  trainer.trainEpoch(xs, ys, { batchSize: 64 });
  console.log(`| fused | ${epoch} | ${tf.memory().numTensors} | ${mib()} |`);
}
trainer.dispose();
fusedModel.dispose();

const stockModel = buildModel();
stockModel.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
const xTensor = tf.tensor2d(xs, [samples, 784]);
const yTensor = tf.tensor2d(ys, [samples, 10]);
for (let epoch = 1; epoch <= epochs; epoch++) {
  await stockModel.fit(xTensor, yTensor, { batchSize: 64, epochs: 1, verbose: 0 });
  console.log(`| tfjs model.fit | ${epoch} | ${tf.memory().numTensors} | ${mib()} |`);
}
tf.dispose([xTensor, yTensor]);
stockModel.dispose();

function buildCnn() {
  const model = tfl.sequential();
  for (const [index, filters] of [16, 32].entries()) {
    model.add(
      tfl.layers.conv2d({
        ...(index === 0 ? { inputShape: [28, 28, 1] } : {}),
        filters,
        kernelSize: 5,
        padding: 'same',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 20 + index }),
      }),
    );
    model.add(tfl.layers.batchNormalization());
    model.add(tfl.layers.activation({ activation: 'relu' }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  }
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

const images = Math.max(64, Math.floor(samples / 10));
const cnn = buildCnn();
cnn.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
const xImages = tf.tensor4d(xs.subarray(0, images * 784), [images, 28, 28, 1]);
const yImages = tf.tensor2d(ys.subarray(0, images * 10), [images, 10]);
for (let epoch = 1; epoch <= epochs; epoch++) {
  await cnn.fit(xImages, yImages, { batchSize: 64, epochs: 1, verbose: 0 });
  console.log(
    `| tfjs model.fit, CNN (${choice.convKernels} conv kernels) | ${epoch} | ${tf.memory().numTensors} | ${mib()} |`,
  );
}
tf.dispose([xImages, yImages]);
cnn.dispose();
