// Training speed of the CNNs users run, images per CPU second on one core, all in the same run:
// tfjs-wasm `model.fit`-style steps (trainOnBatch) with the kernels of before issue 16 (the matmul
// fix and the slice-per-offset Conv2DBackpropFilter), with @actlab/backend's conv kernels, and
// PyTorch (Debian's python3-torch, one thread). Columns alternate round after round and each
// cell is the best of the rounds: the machine's cores are shared, so only one run's figures
// compare; and the rates are per CPU second of the measured process (Node's process.cpuUsage,
// Python's time.process_time), which other jobs on the machine disturb far less than wall time.
// `--profile` adds, per network, the wasm kernels that took the most time.
//
//   node bench/cnn-speed.mjs [--seconds=2] [--rounds=3] [--only=mnist,mask,cifar] [--no-python]
//                            [--profile]
//
// Needs `corepack pnpm --filter "@actlab/adversarial-generator..." --filter
// "@actlab/mask-detector..." build` first.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key, value ?? 'true'];
  }),
);
const seconds = Number(args.get('seconds') ?? 2);
const rounds = Number(args.get('rounds') ?? 3);
const only = (args.get('only') ?? 'mnist,mask,cifar').split(',');

const require = createRequire(new URL('../packages/backend/package.json', import.meta.url));
const tf = await import(require.resolve('@tensorflow/tfjs-core'));
const tfl = await import(require.resolve('@tensorflow/tfjs-layers'));
const backend = await import(new URL('../packages/backend/dist/index.js', import.meta.url).href);
const { buildMnistClassifier } = await import(
  new URL('../packages/adversarial-generator/dist/index.js', import.meta.url).href
);
const { buildMaskModel } = await import(
  new URL('../packages/mask-detector/dist/index.js', import.meta.url).href
);

const choice = await backend.selectBackend('wasm');

/** The seed's CIFAR-10 CNN: 6 Conv 5×5 same → BN → ReLU, MaxPool every 2, Dense 512 → BN. */
function buildCifarModel() {
  const model = tfl.sequential();
  [32, 48, 64, 80, 96, 112].forEach((filters, index) => {
    model.add(
      tfl.layers.conv2d({
        ...(index === 0 ? { inputShape: [32, 32, 3] } : {}),
        filters,
        kernelSize: 5,
        padding: 'same',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: index }),
      }),
    );
    model.add(tfl.layers.batchNormalization());
    model.add(tfl.layers.activation({ activation: 'relu' }));
    if (index % 2 === 1) model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  });
  model.add(tfl.layers.flatten());
  model.add(
    tfl.layers.dense({
      units: 512,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 10 }),
    }),
  );
  model.add(tfl.layers.batchNormalization());
  model.add(tfl.layers.activation({ activation: 'relu' }));
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

const networks = [
  {
    key: 'mnist',
    label: 'seed MNIST CNN (buildMnistClassifier), 28×28×1, Adam, batch 64',
    build: () => {
      const model = buildMnistClassifier();
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
      return model;
    },
    shape: [28, 28, 1],
    classes: 10,
  },
  {
    key: 'mask',
    label: 'mask CNN (buildMaskModel), 64×64×3, Adam, batch 64',
    build: () => buildMaskModel({ size: 64 }),
    shape: [64, 64, 3],
    classes: 1,
  },
  {
    key: 'cifar',
    label: 'seed CIFAR-10 CNN, 32×32×3, Adam, batch 64',
    build: () => {
      const model = buildCifarModel();
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
      return model;
    },
    shape: [32, 32, 3],
    classes: 10,
  },
].filter((network) => only.includes(network.key));

const batchSize = 64;

function batchesOf(network) {
  return tf.tidy(() => {
    const xs = tf.randomUniform([batchSize, ...network.shape], 0, 1, 'float32', 1);
    const labels = tf.randomUniform([batchSize], 0, Math.max(2, network.classes), 'int32', 2);
    const ys =
      network.classes === 1
        ? tf.cast(tf.reshape(labels, [batchSize, 1]), 'float32')
        : tf.cast(tf.oneHot(labels, network.classes), 'float32');
    return { xs, ys };
  });
}

/** CPU time of this process (user + system): unlike wall time, it does not count the time
 * other jobs on the shared cores take from us. */
function cpuSeconds() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Images per CPU second of trainOnBatch (what model.fit runs per batch) for `seconds`. */
async function measureTfjs(network, convKernels) {
  if (convKernels) await backend.useConvKernels(true, convKernels);
  else await backend.useConvKernels(false);
  const model = network.build();
  const { xs, ys } = batchesOf(network);
  for (let i = 0; i < 2; i++) await model.trainOnBatch(xs, ys);
  let images = 0;
  const start = cpuSeconds();
  while (cpuSeconds() - start < seconds) {
    await model.trainOnBatch(xs, ys);
    images += batchSize;
  }
  const rate = images / (cpuSeconds() - start);
  model.optimizer.dispose();
  model.dispose();
  tf.dispose([xs, ys]);
  return rate;
}

function hasTorch() {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const usePython = !args.has('no-python') && hasTorch();

function measureTorch(network) {
  const script = new URL('torch_cnn.py', import.meta.url).pathname;
  const spec = JSON.stringify({ network: network.key, seconds, batchSize });
  const output = execFileSync('/usr/bin/python3', [script, spec], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  return JSON.parse(output.trim().split('\n').at(-1)).imagesPerSecond;
}

/** Milliseconds per kernel over a few steps, with tfjs's profiler, largest first. */
async function profile(network, build) {
  await backend.useConvKernels(true, build);
  const model = network.build();
  const { xs, ys } = batchesOf(network);
  await model.trainOnBatch(xs, ys);
  const steps = 3;
  const info = await tf.profile(async () => {
    for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
  });
  const byKernel = new Map();
  // Entries named `…__op` are the ops wrapping the kernels listed beside them: not counted twice.
  for (const kernel of info.kernels.filter(({ name }) => !name.endsWith('__op'))) {
    byKernel.set(kernel.name, (byKernel.get(kernel.name) ?? 0) + kernel.kernelTimeMs / steps);
  }
  model.optimizer.dispose();
  model.dispose();
  tf.dispose([xs, ys]);
  const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
  return { total, top: [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 8) };
}

// The conv kernels as WebAssembly and, when @actlab/backend-<platform> loads, built natively.
const builds = ['wasm'];
try {
  await backend.useConvKernels(true, 'native');
  builds.push('native');
} catch (error) {
  console.log(`native conv kernels not measured: ${error.message}`);
}
const columns = [
  'before (matmul fix + slice shim)',
  ...builds.map((build) => `ours, ${build} conv kernels`),
  'PyTorch 1 thread',
];
console.log(`backend: ${choice.reason}; ${seconds} s per cell, best of ${rounds} rounds`);
const rows = [];
for (const network of networks) {
  const best = columns.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    best[0] = Math.max(best[0], await measureTfjs(network, undefined));
    for (const [i, build] of builds.entries())
      best[1 + i] = Math.max(best[1 + i], await measureTfjs(network, build));
    if (usePython) best[1 + builds.length] = Math.max(best.at(-1), measureTorch(network));
  }
  rows.push([network.label, ...best]);
  const before = best[0];
  const torch = best.at(-1);
  const ours = builds.map((build, i) => {
    const rate = best[1 + i];
    const vsTorch = usePython ? `, ${(rate / torch).toFixed(2)}× PyTorch` : '';
    return `${build} ${rate.toFixed(1)} (${(rate / before).toFixed(2)}× before${vsTorch})`;
  });
  console.log(
    `${network.label}: before ${before.toFixed(1)}, ${ours.join(', ')}, ` +
      (usePython ? `PyTorch ${torch.toFixed(1)}` : 'PyTorch not measured'),
  );
  if (args.has('profile')) {
    const { total, top } = await profile(network, builds.at(-1));
    console.log(`  one step ${total.toFixed(1)} ms in kernels (${builds.at(-1)}); top kernels:`);
    for (const [name, ms] of top)
      console.log(
        `    ${name.padEnd(36)} ${ms.toFixed(2)} ms (${((100 * ms) / total).toFixed(0)} %)`,
      );
  }
}
const format = (value) => (value ? Math.round(value).toLocaleString('en-US') : '—');
const fastest = `ours, ${builds.at(-1)}`;
console.log(`\n| network | ${columns.join(' | ')} | ${fastest} / before | ${fastest} / PyTorch |`);
console.log(`| --- | ${columns.map(() => '---').join(' | ')} | --- | --- |`);
for (const [label, ...rates] of rows) {
  const before = rates[0];
  const ours = rates[builds.length];
  const torch = rates.at(-1);
  console.log(
    `| ${label} | ${rates.map(format).join(' | ')} | ${(ours / before).toFixed(2)}× | ${torch ? `${(ours / torch).toFixed(2)}×` : '—'} |`,
  );
}
