import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

function hasClang(): boolean {
  try {
    execFileSync('clang', ['--version'], { stdio: 'ignore' });
    execFileSync('ld.lld', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the committed native kernels (backend-linux-x64-gnu/dense.node)', () => {
  // CI has clang and lld (.ci/run installs them): there a missing compiler is a failure.
  it.skipIf(!hasClang() && !process.env.CI)(
    'are what clang builds from native/ and wasm/ (dense.c, conv.c and the headers they include) today (needs clang and lld)',
    () => {
      const output = execFileSync(
        'node',
        [join(packageDir, 'scripts', 'build-native.mjs'), '--check'],
        { encoding: 'utf8' },
      );
      expect(output).toMatch(/up to date/);
    },
    120_000,
  );
});
