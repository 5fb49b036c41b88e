import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@actlab/test-utils';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');

async function versionOf(folder: string): Promise<string> {
  return JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')).version;
}

describe('changesets', () => {
  it('bumps only the package a changeset names', async () => {
    const copy = await makeTempDir('actlab-changeset-');
    try {
      // A copy of the workspace's manifests: changesets reads nothing else.
      // The config only: the repository's pending changesets would bump other packages too.
      await mkdir(join(copy.path, '.changeset'));
      await cp(
        join(root, '.changeset', 'config.json'),
        join(copy.path, '.changeset', 'config.json'),
      );
      for (const file of ['package.json', 'pnpm-workspace.yaml']) {
        await cp(join(root, file), join(copy.path, file));
      }
      for (const group of ['packages', 'apps']) {
        for (const entry of await readdir(join(root, group))) {
          const target = join(copy.path, group, entry);
          await mkdir(target, { recursive: true });
          await cp(join(root, group, entry, 'package.json'), join(target, 'package.json'));
        }
      }
      await writeFile(
        join(copy.path, '.changeset', 'sample-change.md'),
        "---\n'@actlab/activations': minor\n---\n\nA sample change.\n",
      );
      const before = await versionOf(join(copy.path, 'packages/mnist-loader'));
      await run(join(root, 'node_modules/.bin/changeset'), ['version'], { cwd: copy.path });
      const activations = join(copy.path, 'packages/activations');
      const [major, minor] = before.split('.').map(Number);
      expect(await versionOf(activations)).toBe(`${major}.${(minor ?? 0) + 1}.0`);
      expect(await versionOf(join(copy.path, 'packages/mnist-loader'))).toBe(before);
      expect(await readFile(join(activations, 'CHANGELOG.md'), 'utf8')).toContain(
        'A sample change.',
      );
    } finally {
      await copy.remove();
    }
  });
});
