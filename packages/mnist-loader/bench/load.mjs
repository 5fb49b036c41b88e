// Time to load and parse MNIST (all four files: read, sha256, gunzip, parse) with loadMnist,
// beside a bare gunzip of the same bytes (read + zlib.gunzipSync). Needs ACTLAB_DATA_DIR.
// Run: ACTLAB_DATA_DIR=../shared/data corepack pnpm --filter @actlab/mnist-loader bench
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadMnist } from '../dist/index.js';

const dataDir = process.env.ACTLAB_DATA_DIR;
if (!dataDir) {
  console.error('Set ACTLAB_DATA_DIR to a folder with mnist/ (the four original .gz files).');
  process.exit(1);
}
const names = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];

async function bareGunzip() {
  const start = performance.now();
  for (const name of names) gunzipSync(await readFile(join(dataDir, 'mnist', name)));
  return performance.now() - start;
}

async function ours() {
  const start = performance.now();
  await loadMnist({
    dataDir,
    download: false,
    cacheDir: '/nonexistent-actlab-bench',
    systemDirs: [],
  });
  return performance.now() - start;
}

const bare = [];
const loader = [];
for (let round = 0; round < 7; round++) {
  bare.push(await bareGunzip());
  loader.push(await ours());
}
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const a = median(bare.slice(1));
const b = median(loader.slice(1));
console.log(
  `MNIST, 4 files (70 000 images), ${cpus()[0]?.model.trim()} (${cpus().length} cores), Node ${process.version}; median of 6 runs after a warm-up`,
);
console.log(`bare read + gunzipSync:                     ${a.toFixed(1)} ms`);
console.log(`loadMnist (read, sha256, gunzip, parse):    ${b.toFixed(1)} ms`);
console.log(`ratio: ${(b / a).toFixed(2)}× the bare gunzip (goal ≤ 1.5×)`);
