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

  it('runs as written with the shipped weights', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [example], { cwd: packageDir });
    expect(stdout).toMatch(/label: '(with_mask|no_mask)'/);
    expect(
      stdout
        .trim()
        .split('\n')
        .filter((line) => /^(with_mask|no_mask) \d\.\d{3}$/.test(line)),
    ).toHaveLength(1);
  }, 30_000);
});
