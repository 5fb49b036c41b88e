import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { denseWasmBase64, denseWasmSourceSha256, denseWasmToolchain } from './dense-wasm-binary.js';

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

describe('the committed WebAssembly module', () => {
  it('was built from the committed C source', () => {
    const source = readFileSync(join(packageDir, 'wasm', 'dense.c'));
    expect(createHash('sha256').update(source).digest('hex')).toBe(denseWasmSourceSha256);
  });

  it('is embedded byte for byte in the bundle', () => {
    const file = readFileSync(join(packageDir, 'wasm', 'dense.wasm'));
    expect(Buffer.from(denseWasmBase64, 'base64').equals(file)).toBe(true);
  });

  it('names the toolchain that built it', () => {
    expect(denseWasmToolchain).toMatch(/clang version .* --target=wasm32 -msimd128/);
  });

  it.skipIf(!hasClang())(
    'is what clang builds from the source today (needs clang and lld)',
    () => {
      const output = execFileSync(
        'node',
        [join(packageDir, 'scripts', 'build-wasm.mjs'), '--check'],
        {
          encoding: 'utf8',
        },
      );
      expect(output).toMatch(/up to date/);
    },
    60_000,
  ); // a build takes seconds; more on a loaded machine
});
