import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packageDir = resolve(import.meta.dirname, '..');
const example = resolve(packageDir, 'examples/quick-start.mjs');

describe('the quick start', () => {
  it('is the same code in the README and in examples/quick-start.mjs', async () => {
    const readme = await readFile(resolve(packageDir, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Quick start'));
    const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(await readFile(example, 'utf8'));
    expect(block?.trim().split('\n').length).toBeLessThanOrEqual(15);
  });

  it.skipIf(!process.env.ACTLAB_DATA_DIR)(
    'runs as written with ACTLAB_DATA_DIR set',
    async () => {
      const { stdout } = await promisify(execFile)(process.execPath, [example], {
        cwd: packageDir,
      });
      expect(stdout).toContain('60000 10000 28x28');
      expect(stdout).toContain('first labels: [ 5, 0, 4, 1, 9 ]');
    },
    30_000,
  );
});
