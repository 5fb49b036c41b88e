import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as conv from './conv-wasm-binary.js';
import * as dense from './dense-wasm-binary.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

function hasClang(): boolean {
  try {
    execFileSync('clang', ['--version'], { stdio: 'ignore' });
    execFileSync('wasm-ld', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const modules = [
  {
    name: 'dense',
    headers: ['gemm.h', 'sparse.h', 'sparse-columns.h', 'sparse-rows.h', 'vec.h'],
    base64: dense.denseWasmBase64,
    sha256: dense.denseWasmSourceSha256,
    toolchain: dense.denseWasmToolchain,
  },
  {
    name: 'conv',
    headers: ['gemm.h', 'normalize.h'],
    base64: conv.convWasmBase64,
    sha256: conv.convWasmSourceSha256,
    toolchain: conv.convWasmToolchain,
  },
];

describe.each(modules)('the committed $name WebAssembly module', (module) => {
  it('was built from the committed C source and the headers it includes', () => {
    const hash = createHash('sha256');
    for (const file of [`${module.name}.c`, ...module.headers]) {
      hash.update(readFileSync(join(packageDir, 'wasm', file)));
    }
    expect(hash.digest('hex')).toBe(module.sha256);
  });

  it('is embedded byte for byte in the bundle', () => {
    const file = readFileSync(join(packageDir, 'wasm', `${module.name}.wasm`));
    expect(Buffer.from(module.base64, 'base64').equals(file)).toBe(true);
  });

  it('names the toolchain that built it', () => {
    expect(module.toolchain).toMatch(/clang version .* --target=wasm32 -msimd128/);
  });
});

describe('the committed WebAssembly modules', () => {
  it.skipIf(!hasClang())(
    'are what clang builds from the sources today (needs clang and lld)',
    () => {
      const output = execFileSync(
        'node',
        [join(packageDir, 'scripts', 'build-wasm.mjs'), '--check'],
        {
          encoding: 'utf8',
        },
      );
      expect(output).toMatch(/dense.wasm is up to date\n.*conv.wasm is up to date/);
    },
    60_000,
  );
});
