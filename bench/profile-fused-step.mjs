// Where a fused training step spends its time: wraps every kernel of @actlab/backend's fused
// Dense trainer with a timer and prints each kernel's share of the step.
//
//   node bench/profile-fused-step.mjs [mlp|deep]   (mlp: 784-128-64-10 relu; deep: 40 × 128 tanh)
//
// Needs `corepack pnpm --filter @actlab/backend build` first. Reaches into the trainer's private
// `kernels` field: a measuring tool, not an API.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../packages/backend/package.json', import.meta.url));
const tf = await import(require.resolve('@tensorflow/tfjs-core'));
const tfl = await import(require.resolve('@tensorflow/tfjs-layers'));
await import(require.resolve('@tensorflow/tfjs-backend-cpu'));
await tf.setBackend('cpu');
const { createDenseTrainer } = await import(
  new URL('../packages/backend/dist/index.js', import.meta.url).href
);

const deep = process.argv[2] === 'deep';
const hidden = deep ? Array(39).fill(128) : [128, 64];
const activation = deep ? 'tanh' : 'relu';
const batchSize = 128;
const model = tfl.sequential();
for (const [index, units] of hidden.entries()) {
  model.add(tfl.layers.dense({ units, activation, ...(index === 0 ? { inputShape: [784] } : {}) }));
}
model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
const trainer = await createDenseTrainer(model, {
  optimizer: { name: 'sgd', learningRate: 0.01 },
  batchSize,
});

const kernels = { ...trainer.kernels };
const times = {};
for (const [name, kernel] of Object.entries(trainer.kernels)) {
  if (typeof kernel !== 'function') continue;
  times[name] = 0;
  kernels[name] = (...args) => {
    const start = performance.now();
    const result = kernel(...args);
    times[name] += performance.now() - start;
    return result;
  };
}
Object.defineProperty(trainer, 'kernels', { value: kernels });

const xs = Float32Array.from({ length: batchSize * 784 }, (_, i) => ((i * 7919) % 1000) / 1000);
const ys = new Float32Array(batchSize * 10);
for (let row = 0; row < batchSize; row++) ys[row * 10 + (row % 10)] = 1;
for (let step = 0; step < 20; step++) trainer.trainBatch(xs, ys);
for (const name of Object.keys(times)) times[name] = 0;

const steps = deep ? 100 : 500;
const start = performance.now();
for (let step = 0; step < steps; step++) trainer.trainBatch(xs, ys);
const total = performance.now() - start;
const inKernels = Object.values(times).reduce((sum, time) => sum + time, 0);
console.log(
  `${deep ? '40 × 128 tanh' : '784-128-64-10 relu'}, SGD, batch ${batchSize}: ${Math.round((steps * batchSize * 1000) / total)} samples/s; ${steps} steps in ${total.toFixed(0)} ms, ${((100 * (total - inKernels)) / total).toFixed(1)} % outside the kernels`,
);
for (const [name, time] of Object.entries(times).sort((a, b) => b[1] - a[1])) {
  if (time > 0) console.log(`  ${name.padEnd(24)} ${((100 * time) / total).toFixed(1)} %`);
}
trainer.dispose();
model.dispose();
