// How close loading MNIST comes to the cost of unpacking it. Prints, as medians over rounds
// after a warm-up:
//   - loadMnist (all four files: read, sha256, gunzip, parse, pair) beside a bare read + gunzip of
//     the same four files, both one after the other (gunzipSync, default options) and in parallel
//     (async gunzip on libuv's pool with 4 MiB output chunks, exactly as the loader unpacks);
//   - parseIdx of the train images file (70 % of the bytes) beside a bare gunzipSync of it.
// Needs ACTLAB_DATA_DIR (a folder with mnist/ holding the four original .gz files).
// Run: ACTLAB_DATA_DIR=../shared/data corepack pnpm --filter @actlab/mnist-loader bench
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';
import { loadMnist, parseIdx } from '../dist/index.js';

const dataDir = process.env.ACTLAB_DATA_DIR;
if (!dataDir) {
  console.error('Set ACTLAB_DATA_DIR to a folder with mnist/ (the four original .gz files).');
  process.exit(1);
}
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const names = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];
const path = (name) => join(dataDir, 'mnist', name);
const gunzipAsync = promisify(gunzip);

async function time(work) {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const cases = {
  'bare read + gunzipSync, 4 files one by one': async () => {
    for (const name of names) gunzipSync(await readFile(path(name)));
  },
  'bare read + async gunzip (4 MiB chunks), parallel': () =>
    Promise.all(
      names.map(async (name) => gunzipAsync(await readFile(path(name)), { chunkSize: 1 << 22 })),
    ),
  'loadMnist, 4 files (read, sha256, gunzip, parse)': () =>
    loadMnist({ dataDir, download: false, cacheDir: '/nonexistent-actlab-bench', systemDirs: [] }),
  'bare read + gunzipSync, train images': async () =>
    gunzipSync(await readFile(path('train-images-idx3-ubyte.gz'))),
  'read + parseIdx, train images': async () =>
    parseIdx(await readFile(path('train-images-idx3-ubyte.gz'))),
};

const timings = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let round = 0; round <= rounds; round++) {
  for (const [name, work] of Object.entries(cases)) {
    const elapsed = await time(work);
    if (round > 0) timings[name].push(elapsed);
  }
}
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const medians = Object.fromEntries(Object.entries(timings).map(([name, t]) => [name, median(t)]));

console.log(
  `MNIST on ${cpus()[0]?.model.trim()} (${cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; median of ${rounds} rounds after a warm-up`,
);
for (const [name, value] of Object.entries(medians)) {
  console.log(`${name.padEnd(50)} ${value.toFixed(1).padStart(7)} ms`);
}
const [sequential, parallel, loader, bareTrain, parseTrain] = Object.values(medians);
console.log(
  `loadMnist / bare gunzipSync: ${(loader / sequential).toFixed(2)}×, / parallel gunzip: ${(loader / parallel).toFixed(2)}×; parseIdx / gunzipSync on train images: ${(parseTrain / bareTrain).toFixed(2)}× (goal ≤ 1.5×)`,
);
