// Builds the native kernels of the fused trainer: native/dense-addon.c (wasm/dense.c behind
// Node-API, -mavx2 -mfma), native/avx512.c (the AVX-512 GEMM and sparse row kernel, -mavx512f, run
// only when the CPU has it) and native/entry.c (the CPU check, built without either) into
// ../backend-<target>/dense.node, with Debian's clang and lld (`apt-get install clang lld`) and
// the headers of the `node-api-headers` package (no node-gyp, no download). The flags are fixed
// and the output stripped, so the same source and compiler give the same bytes: `--check`
// rebuilds into a temporary folder and exits 1 when the committed binary differs.
//
//   node scripts/build-native.mjs [--check] [--target=linux-x64-gnu]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const includeDir = createRequire(import.meta.url)('node-api-headers').include_dir;

// One entry per platform package: its translation units, each with its own instruction-set
// flags (what a unit's flags allow runs only after entry.c checked the CPU). Others
// (darwin-arm64 with NEON, linux-arm64-gnu, …) add their triple, units and linker options here
// and a packages/backend-<target> folder beside this one.
export const targets = {
  'linux-x64-gnu': {
    triple: 'x86_64-linux-gnu',
    units: [
      ['native/entry.c', []],
      ['native/dense-addon.c', ['-mavx2', '-mfma']],
      ['native/avx512.c', ['-mavx2', '-mfma', '-mavx512f']],
      ['native/conv-addon.c', ['-mavx2', '-mfma']],
      ['native/conv-avx512.c', ['-mavx2', '-mfma', '-mavx512f']],
    ],
    linkFlags: ['-fuse-ld=lld', '-Wl,--build-id=none'],
  },
};

export const commonFlags = [
  '-O3',
  '-fPIC',
  '-fvisibility=hidden',
  '-ffp-contract=off',
  '-fno-ident',
  '-Wall',
  '-Werror',
];

export function binaryPath(target) {
  return join(packageDir, '..', `backend-${target}`, 'dense.node');
}

export function buildNative(target) {
  const spec = targets[target];
  if (!spec) throw new Error(`unknown target ${target}; known: ${Object.keys(targets).join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'actlab-native-'));
  const clang = (args) => execFileSync('clang', args, { stdio: 'inherit', cwd: packageDir });
  try {
    const base = [`--target=${spec.triple}`, ...commonFlags, '-I', includeDir, '-c'];
    const objects = spec.units.map(([source, flags], index) => {
      const object = join(dir, `${index}.o`);
      clang([...base, ...flags, source, '-o', object]);
      return object;
    });
    const out = join(dir, 'dense.node');
    clang([`--target=${spec.triple}`, '-shared', '-s', ...spec.linkFlags, '-o', out, ...objects]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target =
    process.argv.find((arg) => arg.startsWith('--target='))?.slice(9) ?? 'linux-x64-gnu';
  const binary = buildNative(target);
  const path = binaryPath(target);
  if (process.argv.includes('--check')) {
    let same = false;
    try {
      same = Buffer.compare(binary, readFileSync(path)) === 0;
    } catch {}
    console.log(
      same
        ? `backend-${target}/dense.node is up to date`
        : `backend-${target}/dense.node is stale: run node scripts/build-native.mjs`,
    );
    process.exit(same ? 0 : 1);
  }
  // Write beside it, then rename: a process that has the old binary loaded keeps its copy.
  writeFileSync(`${path}.tmp`, binary);
  renameSync(`${path}.tmp`, path);
  console.log(`wrote ${binary.length} bytes to backend-${target}/dense.node`);
}
