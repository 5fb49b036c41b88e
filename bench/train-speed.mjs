// Training speed of small MLPs, samples per second on one core: stock tfjs-wasm model.fit,
// model.fit with @actlab/backend's kernels, the fused Dense trainer on its WebAssembly and its
// native kernels, tfjs CPU, PyTorch and a hand-written NumPy trainer, all in the same run, on
// random data; then the fused trainer, NumPy and PyTorch on real MNIST images (81 % zeros: the
// fused trainer's sparse first layer). Columns are measured in alternation, round after round,
// and each cell is the best of the rounds (the least disturbed: the machine's cores are shared),
// so only figures from the same run compare. Then projects the depth-activation preset's time.
//
//   node bench/train-speed.mjs [--quick] [--seconds=1] [--rounds=3] [--no-python] [--no-cpu]
//                              [--columns=fused,native,numpy,…] [--no-mnist] [--clock=cpu|wall]
//
// --clock=cpu (default) counts the CPU time of the process that trains (process.cpuUsage in
// Node, time.process_time in Python) instead of wall time: on a machine shared with other jobs
// a process may get a fifth of a core, which wall time would charge to whichever column ran then.
//
// Needs `corepack pnpm --filter @actlab/backend --filter @actlab/mnist-loader build` first, and
// ACTLAB_DATA_DIR with mnist/ for the MNIST table. PyTorch is Debian's python3-torch
// (/usr/bin/python3); NumPy is whichever python3 has it (pip wheels bundle OpenBLAS), run with
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset so that OpenBLAS picks its best kernel.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key, value ?? 'true'];
  }),
);
const quick = args.has('quick');
const seconds = Number(args.get('seconds') ?? (quick ? 0.4 : 1));
const rounds = Number(args.get('rounds') ?? (quick ? 1 : 3));
const clock = args.get('clock') ?? 'cpu';
const now =
  clock === 'cpu'
    ? () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      }
    : () => performance.now();

const backendPackage = new URL('../packages/backend/package.json', import.meta.url);
const require = createRequire(backendPackage);
const tf = await import(require.resolve('@tensorflow/tfjs-core'));
const tfl = await import(require.resolve('@tensorflow/tfjs-layers'));
await import(require.resolve('@tensorflow/tfjs-backend-cpu'));
const { createDenseTrainer, selectBackend, useFastKernels } = await import(
  new URL('../packages/backend/dist/index.js', import.meta.url).href
);

const choice = await selectBackend('wasm');
const nativeAvailable = choice.denseKernels === 'native';
// The native kernels run their AVX-512 GEMM here: also measure them on the AVX2 one.
const avx512 = nativeAvailable && choice.reason.includes('AVX-512 GEMM');
const inputSize = 784;
const classes = 10;
const repeat = (count, value) => Array.from({ length: count }, () => value);
const networks = [
  {
    label: '5 Dense × 32 tanh, SGD 0.01, batch 64',
    hidden: repeat(4, 32),
    activation: 'tanh',
    batchSize: 64,
    optimizer: 'sgd',
    learningRate: 0.01,
  },
  {
    label: '20 Dense × 32 tanh, SGD 0.01, batch 64',
    hidden: repeat(19, 32),
    activation: 'tanh',
    batchSize: 64,
    optimizer: 'sgd',
    learningRate: 0.01,
  },
  {
    label: '40 Dense × 32 tanh, SGD 0.01, batch 64',
    hidden: repeat(39, 32),
    activation: 'tanh',
    batchSize: 64,
    optimizer: 'sgd',
    learningRate: 0.01,
  },
  {
    label: '784-128-64-10 relu, Adam, batch 128',
    hidden: [128, 64],
    activation: 'relu',
    batchSize: 128,
    optimizer: 'adam',
    learningRate: 0.001,
    numpyNote: 'SGD',
  },
  {
    label: '40 Dense × 128 tanh, Adam, batch 128',
    hidden: repeat(39, 128),
    activation: 'tanh',
    batchSize: 128,
    optimizer: 'adam',
    learningRate: 0.001,
    numpyNote: 'SGD',
  },
];

function buildModel(network) {
  const model = tfl.sequential();
  for (const [index, units] of network.hidden.entries()) {
    model.add(
      tfl.layers.dense({
        units,
        activation: network.activation,
        ...(index === 0 ? { inputShape: [inputSize] } : {}),
        kernelInitializer: tfl.initializers.glorotUniform({ seed: index + 1 }),
      }),
    );
  }
  model.add(tfl.layers.dense({ units: classes, activation: 'softmax' }));
  return model;
}

function makeOptimizer(network) {
  return network.optimizer === 'adam'
    ? tf.train.adam(network.learningRate)
    : tf.train.sgd(network.learningRate);
}

const sampleCount = 4096;
const xsValues = new Float32Array(sampleCount * inputSize);
const ysValues = new Float32Array(sampleCount * classes);
let state = 12345;
for (let i = 0; i < xsValues.length; i++) {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  xsValues[i] = state / 2 ** 32;
}
for (let i = 0; i < sampleCount; i++) ysValues[i * classes + ((i * 7) % classes)] = 1;

/** Runs `chunk` (which trains `samples` samples) until `seconds` have passed; samples/s. */
async function timeLoop(chunk, samples) {
  await chunk();
  const start = now();
  let done = 0;
  while (now() - start < seconds * 1000) {
    await chunk();
    done += samples;
  }
  return done / ((now() - start) / 1000);
}

async function measureFit(network, backend, fast) {
  await tf.setBackend(backend);
  if (backend === 'wasm') useFastKernels(fast);
  const model = buildModel(network);
  model.compile({ optimizer: makeOptimizer(network), loss: 'categoricalCrossentropy' });
  const batches = 16;
  const count = Math.min(sampleCount, batches * network.batchSize);
  const xs = tf.tensor2d(xsValues.subarray(0, count * inputSize), [count, inputSize]);
  const ys = tf.tensor2d(ysValues.subarray(0, count * classes), [count, classes]);
  const rate = await timeLoop(
    () =>
      model.fit(xs, ys, { epochs: 1, batchSize: network.batchSize, shuffle: false, verbose: 0 }),
    count,
  );
  tf.dispose([xs, ys]);
  model.optimizer.dispose();
  model.dispose();
  await tf.setBackend('wasm');
  useFastKernels(true);
  return rate;
}

async function measureFused(network, kernels, data = { xs: xsValues, ys: ysValues }) {
  const model = buildModel(network);
  const trainer = await createDenseTrainer(model, {
    optimizer: { name: network.optimizer, learningRate: network.learningRate },
    batchSize: network.batchSize,
    kernels,
  });
  const count = data.ys.length / classes;
  const rate = await timeLoop(
    () =>
      trainer.trainEpoch(data.xs, data.ys, { batchSize: network.batchSize, writeWeights: false }),
    count,
  );
  trainer.dispose();
  model.dispose();
  return rate;
}

/** As measureFused on the native kernels with their AVX2 GEMM (ACTLAB_NATIVE_GEMM=avx2). */
async function measureNativeAvx2(network, data) {
  const variable = 'ACTLAB_NATIVE_GEMM'; // read by the trainer as it creates its kernels
  process.env[variable] = 'avx2';
  try {
    return await measureFused(network, 'native', data);
  } finally {
    delete process.env[variable];
  }
}

async function measureFusedPredict(network, kernels) {
  const model = buildModel(network);
  const trainer = await createDenseTrainer(model, {
    kernels,
    optimizer: { name: 'sgd', learningRate: 0.01 },
    batchSize: 1000,
  });
  const xs = xsValues.subarray(0, 1000 * inputSize);
  const rate = await timeLoop(() => trainer.predict(xs), 1000);
  trainer.dispose();
  model.dispose();
  return rate;
}

async function measurePredict(network) {
  const model = buildModel(network);
  const chunk = 1000;
  const xs = tf.tensor2d(xsValues.subarray(0, chunk * inputSize), [chunk, inputSize]);
  const rate = await timeLoop(() => tf.tidy(() => model.predict(xs).dataSync()), chunk);
  xs.dispose();
  model.dispose();
  return rate;
}

function findPython(module) {
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(python, ['-c', `import ${module}`], { stdio: 'ignore' });
      return python;
    } catch {}
  }
  return undefined;
}

const usePython = !args.has('no-python');
const torchPython = usePython ? (findPython('torch') ?? undefined) : undefined;
const numpyPython = usePython ? findPython('numpy') : undefined;
const pythonEnv = {
  ...process.env,
  OPENBLAS_NUM_THREADS: '1',
  OMP_NUM_THREADS: '1',
  MKL_NUM_THREADS: '1',
};
// NumPy alone runs without the machine's OpenBLAS overrides (a forced Haswell core halves its
// speed on 784-128-64-10), so that OpenBLAS picks its best kernel; numpy_mlp.py reports which.
const numpyEnv = { ...pythonEnv };
delete numpyEnv.OPENBLAS_CORETYPE;
delete numpyEnv.OPENBLAS_L2_SIZE;
const versions = {};

function measurePython(python, script, network, optimizer, dataPath) {
  const spec = { ...network, inputSize, classes, seconds, optimizer, dataPath, clock };
  const output = execFileSync(
    python,
    [new URL(script, import.meta.url).pathname, JSON.stringify(spec)],
    {
      encoding: 'utf8',
      env: script === 'numpy_mlp.py' ? numpyEnv : pythonEnv,
    },
  );
  const result = JSON.parse(output.trim().split('\n').pop());
  versions[script] = result.version;
  return result.samplesPerSecond;
}

const asSgd = (n) => ({ ...n, optimizer: 'sgd', learningRate: 0.01 });
const allColumns = [
  { key: 'stock', title: 'tfjs-wasm fit (stock)', run: (n) => measureFit(n, 'wasm', false) },
  { key: 'fast', title: 'tfjs-wasm fit + our kernels', run: (n) => measureFit(n, 'wasm', true) },
  { key: 'fused', title: 'fused trainer, wasm', run: (n) => measureFused(n, 'wasm') },
  {
    key: 'fusedSgd',
    title: 'fused wasm, SGD',
    run: async (n) => (n.optimizer === 'sgd' ? undefined : measureFused(asSgd(n), 'wasm')),
  },
  ...(nativeAvailable
    ? [
        { key: 'native', title: 'fused trainer, native', run: (n) => measureFused(n, 'native') },
        {
          key: 'nativeSgd',
          title: 'fused native, SGD',
          run: async (n) => (n.optimizer === 'sgd' ? undefined : measureFused(asSgd(n), 'native')),
        },
        ...(avx512
          ? [
              {
                key: 'nativeAvx2',
                title: 'fused native, AVX2 GEMM, SGD',
                run: (n) => measureNativeAvx2(asSgd(n)),
              },
            ]
          : []),
      ]
    : []),
  ...(args.has('no-cpu')
    ? []
    : [{ key: 'cpu', title: 'tfjs CPU fit', run: (n) => measureFit(n, 'cpu', false) }]),
  ...(torchPython
    ? [
        {
          key: 'torch',
          title: 'PyTorch, 1 thread',
          run: async (n) => measurePython(torchPython, 'torch_mlp.py', n, n.optimizer),
        },
      ]
    : []),
  ...(numpyPython
    ? [
        {
          key: 'numpy',
          title: 'NumPy hand-written, SGD, 1 thread',
          run: async (n) => measurePython(numpyPython, 'numpy_mlp.py', n, 'sgd'),
        },
      ]
    : []),
];
const only = args.get('columns')?.split(',');
const columns = only ? allColumns.filter((c) => only.includes(c.key)) : allColumns;

/**
 * The first `sampleCount` MNIST training images (scaled to [0, 1]) and one-hot labels, for the
 * fused trainer, and written to a scratch file for NumPy and PyTorch.
 */
async function loadMnistSamples() {
  const { loadMnist } = await import(
    new URL('../packages/mnist-loader/dist/index.js', import.meta.url).href
  );
  const { train } = await loadMnist({ dataset: 'mnist' });
  const xs = Float32Array.from(train.images.subarray(0, sampleCount * inputSize), (v) => v / 255);
  const ys = new Float32Array(sampleCount * classes);
  for (let i = 0; i < sampleCount; i++) ys[i * classes + train.labels[i]] = 1;
  const dir = mkdtempSync(join(tmpdir(), 'actlab-bench-'));
  const path = join(dir, 'mnist.f32');
  writeFileSync(path, Buffer.concat([Buffer.from(xs.buffer), Buffer.from(ys.buffer)]));
  const nonzero = xs.reduce((count, v) => count + (v !== 0 ? 1 : 0), 0) / xs.length;
  return { xs, ys, path, dir, nonzero };
}

/** Fused trainer (both kernels), NumPy and PyTorch on real MNIST, for the first four networks. */
async function mnistTable() {
  const data = await loadMnistSamples();
  const mnistColumns = [
    { key: 'fused', title: 'fused trainer, wasm', run: (n) => measureFused(n, 'wasm', data) },
    ...(nativeAvailable
      ? [
          {
            key: 'native',
            title: 'fused trainer, native',
            run: (n) => measureFused(n, 'native', data),
          },
          ...(avx512
            ? [
                {
                  key: 'nativeAvx2',
                  title: 'fused native, AVX2 GEMM',
                  run: (n) => measureNativeAvx2(n, data),
                },
              ]
            : []),
        ]
      : []),
    ...(numpyPython
      ? [
          {
            key: 'numpy',
            title: 'NumPy, 1 thread',
            run: async (n) => measurePython(numpyPython, 'numpy_mlp.py', n, n.optimizer, data.path),
          },
        ]
      : []),
    ...(torchPython
      ? [
          {
            key: 'torch',
            title: 'PyTorch, 1 thread',
            run: async (n) => measurePython(torchPython, 'torch_mlp.py', n, n.optimizer, data.path),
          },
        ]
      : []),
  ];
  // All SGD, so that every column trains the same thing (NumPy's trainer is SGD only).
  const mnistNetworks = networks.slice(0, 4).map((n) => ({
    ...asSgd(n),
    label: n.label.replace(/Adam/, 'SGD 0.01'),
  }));
  const cells = mnistNetworks.map(() => Object.fromEntries(mnistColumns.map((c) => [c.key, []])));
  for (let round = 0; round < rounds; round++) {
    for (const [index, network] of mnistNetworks.entries()) {
      const order = mnistColumns.map(
        (_, i) => mnistColumns[(i + round + index) % mnistColumns.length],
      );
      for (const column of order) cells[index][column.key].push(await column.run(network));
      process.stderr.write(`MNIST round ${round + 1}/${rounds}: ${network.label} done\n`);
    }
  }
  rmSync(data.dir, { recursive: true, force: true });
  const mnistHeader = [
    'network (real MNIST, SGD)',
    ...mnistColumns.map((c) => c.title),
    'wasm / NumPy',
    ...(nativeAvailable ? ['native / NumPy'] : []),
    'fused / PyTorch',
  ];
  console.log(
    `\nReal MNIST: the first ${sampleCount} training images, ${(data.nonzero * 100).toFixed(0)} % of pixels non-zero (the fused trainer's sparse first layer), samples/s, same rounds`,
  );
  console.log(`| ${mnistHeader.join(' | ')} |`);
  console.log(`|${mnistHeader.map(() => '---').join('|')}|`);
  for (const [index, network] of mnistNetworks.entries()) {
    const m = Object.fromEntries(mnistColumns.map((c) => [c.key, bestOf(cells[index][c.key])]));
    const row = [
      network.label,
      ...mnistColumns.map((c) => cell(m[c.key])),
      ratio(m.fused, m.numpy),
      ...(nativeAvailable ? [ratio(m.native, m.numpy)] : []),
      ratio(fastest(m), m.torch),
    ];
    console.log(`| ${row.join(' | ')} |`);
  }
}

// The highest rate of the rounds: another job taking the core only ever slows a round down.
const bestOf = (values) => {
  const measured = values.filter((value) => value !== undefined);
  return measured.length === 0 ? undefined : Math.max(...measured);
};

const results = networks.map(() => Object.fromEntries(columns.map((c) => [c.key, []])));
for (let round = 0; round < rounds; round++) {
  for (const [index, network] of networks.entries()) {
    // Rotate the column order each round so no column always runs first or last.
    const order = columns.map((_, i) => columns[(i + round + index) % columns.length]);
    for (const column of order) {
      results[index][column.key].push(await column.run(network));
    }
    process.stderr.write(`round ${round + 1}/${rounds}: ${network.label} done\n`);
  }
}

const cell = (value) => (value === undefined ? '—' : Math.round(value).toLocaleString('en-US'));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '—');
// The fused trainer's best kernels: native when they load. The NumPy ratios compare SGD runs.
const fastest = (m) => m.native ?? m.fused;
const header = [
  'network',
  ...columns.map((c) => c.title),
  'wasm / NumPy',
  ...(nativeAvailable ? ['native / NumPy'] : []),
  'fused / PyTorch',
  'fused / stock',
];
const rows = networks.map((network, index) => {
  const bests = Object.fromEntries(columns.map((c) => [c.key, bestOf(results[index][c.key])]));
  network.bests = bests;
  return [
    network.label,
    ...columns.map((c) => cell(bests[c.key])),
    ratio(bests.fusedSgd ?? bests.fused, bests.numpy),
    ...(nativeAvailable ? [ratio(bests.nativeSgd ?? bests.native, bests.numpy)] : []),
    ratio(fastest(bests), bests.torch),
    ratio(fastest(bests), bests.stock),
  ];
});
console.log(
  `\nTraining speed, samples per ${clock === 'cpu' ? 'CPU' : 'wall-clock'} second, one core each, best of ${rounds} round(s) of ${seconds} s per cell, columns alternated`,
);
console.log(
  `${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`,
);
console.log(
  `tfjs backend: ${choice.name} ${choice.version}, SIMD ${choice.simd}, threads ${choice.threads}`,
);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
if (!torchPython)
  console.log('PyTorch column skipped: no python3 with torch (apt-get install python3-torch).');
else console.log(`PyTorch ${versions['torch_mlp.py']} (${torchPython}), torch.set_num_threads(1).`);
if (!numpyPython) console.log('NumPy column skipped: no python3 with numpy.');
else
  console.log(
    `NumPy ${versions['numpy_mlp.py']} (${numpyPython}), OPENBLAS_NUM_THREADS=1; plain SGD on every row.`,
  );
console.log(
  'tfjs columns use the optimizer named in the row (rows 4 and 5: Adam for tfjs, PyTorch and the fused trainer).',
);
console.log(
  `fused trainer kernels: ${choice.reason.split('; ').pop()}; fused / PyTorch and fused / stock use the native column when there is one.`,
);
if (!args.has('no-mnist')) await mnistTable();

// Projection of the depth-activation preset: 3 activations × depths 5/20/40, 40 epochs on 54 000
// training images (10 % held out), evaluation of 26 000 images per epoch (10 000 train, 6 000
// validation, 10 000 test) with model.predict, 9 trials on 2 workers (longest first).
const epochs = 40;
const trainImages = 54_000;
const evaluatedImages = 26_000;
const depths = [5, 20, 40];
const predictRates = { stock: {}, fast: {}, fused: {} };
for (const [index, depth] of depths.entries()) {
  predictRates.stock[depth] = await measurePredict(networks[index]);
  predictRates.fast[depth] = predictRates.stock[depth];
  predictRates.fused[depth] = await measureFusedPredict(networks[index], 'wasm');
}
function projectMinutes(column) {
  const trials = [];
  for (const [index, depth] of depths.entries()) {
    const rate = networks[index].bests[column];
    if (!rate) return undefined;
    const seconds = epochs * (trainImages / rate + evaluatedImages / predictRates[column][depth]);
    for (let activation = 0; activation < 3; activation++) trials.push(seconds);
  }
  const workers = [0, 0];
  for (const seconds of trials.sort((a, b) => b - a)) {
    const idle = workers[0] <= workers[1] ? 0 : 1;
    workers[idle] += seconds;
  }
  return Math.max(...workers) / 60;
}
console.log(
  '\nProjected depth-activation preset (3 activations × 5/20/40 layers × 40 epochs, 54 000 images, one seed, 2 workers):',
);
if (nativeAvailable) {
  predictRates.native = {};
  for (const [index, depth] of depths.entries()) {
    predictRates.native[depth] = await measureFusedPredict(networks[index], 'native');
  }
}
for (const column of ['stock', 'fast', 'fused', ...(nativeAvailable ? ['native'] : [])]) {
  const title = columns.find((c) => c.key === column)?.title;
  if (!title) continue;
  const minutes = projectMinutes(column);
  console.log(`  ${title}: ${minutes === undefined ? '—' : `${minutes.toFixed(1)} min`}`);
}
console.log(
  `  (tanh rates stand for relu and sigmoid; evaluation of 26 000 images per epoch by model.predict at ${depths.map((d) => `${Math.round(predictRates.stock[d]).toLocaleString('en-US')}/s`).join(' / ')} (5 / 20 / 40 layers), by trainer.predict at ${depths.map((d) => `${Math.round(predictRates.fused[d]).toLocaleString('en-US')}/s`).join(' / ')} for the fused row; 2 workers assumed to run as fast as one)`,
);
