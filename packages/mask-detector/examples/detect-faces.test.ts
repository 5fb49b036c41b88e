import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packageDir = resolve(import.meta.dirname, '..');
const example = resolve(packageDir, 'examples/detect-faces.mjs');
const dataDir = process.env.ACTLAB_DATA_DIR;

describe('the whole-photo quick start', () => {
  it('is the same code in the README and in examples/detect-faces.mjs', async () => {
    const readme = await readFile(resolve(packageDir, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Faces in whole photos'));
    const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(await readFile(example, 'utf8'));
    expect(block?.trim().split('\n').length).toBeLessThanOrEqual(15);
  });

  it.skipIf(!dataDir)(
    'runs as written on a real photo and prints one line per face',
    async () => {
      const photo = join(dataDir ?? '', 'face-mask-voc/images/maksssksksss40.jpg');
      const { stdout } = await promisify(execFile)(process.execPath, [example, photo], {
        cwd: packageDir,
      });
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(4);
      for (const line of lines) {
        expect(line).toMatch(
          /^(with_mask|no_mask) [01]\.\d\d at \d+,\d+,\d+,\d+ \(face 0\.\d\d\)$/,
        );
      }
    },
    60_000,
  );
});
