// GFLOP/s of the fused trainer's GEMM kernels on their own (packages/backend/wasm/dense.wasm),
// on the shapes a training step of the bench's networks uses. Pass other builds of dense.c
// (e.g. a variant compiled by scripts/build-wasm.mjs's flags) to compare them in one run.
//
//   node bench/gemm-kernel.mjs [other.wasm ...]
import { readFileSync } from 'node:fs';

const files = [
  new URL('../packages/backend/wasm/dense.wasm', import.meta.url).pathname,
  ...process.argv.slice(2),
];
const modules = [];
for (const file of files) {
  const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
  instance.exports.memory.grow(200);
  modules.push([file.split('/').pop(), instance.exports]);
}
const shapes = [
  ['forward 784→128, batch 128', 'gemm_nn', 128, 128, 784],
  ['dW 784×128, batch 128', 'gemm_tn', 784, 128, 128],
  ['forward 128→128, batch 128', 'gemm_nn', 128, 128, 128],
  ['forward 32→32, batch 64', 'gemm_nn', 64, 32, 32],
  ['dW 32×32, batch 64', 'gemm_tn', 32, 32, 64],
];
const rounds = 3;
const best = new Map();
for (let round = 0; round < rounds; round++) {
  for (const [label, kernel, m, n, k] of shapes) {
    for (const [name, exports] of modules) {
      const a = exports.__heap_base.value + 4096;
      const b = a + m * k * 4 + 256;
      const c = b + k * n * 4 + 256;
      const view = new Float32Array(exports.memory.buffer);
      for (let i = 0; i < m * k + k * n + 64; i++) view[a / 4 + i] = ((i * 7919) % 1000) / 1000;
      const lda = kernel === 'gemm_nn' ? k : m;
      const repeats = Math.max(3, Math.round(3e8 / (2 * m * n * k)));
      const start = performance.now();
      for (let r = 0; r < repeats; r++) exports[kernel](m, n, k, a, lda, b, n, c, n, 0);
      const gflops = (2 * m * n * k * repeats) / ((performance.now() - start) / 1000) / 1e9;
      const key = `${label}|${name}`;
      best.set(key, Math.max(best.get(key) ?? 0, gflops));
    }
  }
}
console.log(`GEMM GFLOP/s, best of ${rounds} rounds, Node ${process.version}`);
console.log(`| shape | ${modules.map(([name]) => name).join(' | ')} |`);
console.log(`|---|${modules.map(() => '---').join('|')}|`);
for (const [label] of shapes) {
  const cells = modules.map(([name]) => best.get(`${label}|${name}`).toFixed(1));
  console.log(`| ${label} | ${cells.join(' | ')} |`);
}
