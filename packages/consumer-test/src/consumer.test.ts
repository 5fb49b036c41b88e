import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installIntoBlankProject, type Published, packPublished, run } from './pack-published.js';

let project: { path: string; remove: () => Promise<void> };
const packages: Published[] = [];

beforeAll(async () => {
  project = await makeTempDir('actlab-consumer-');
  const tarballs = join(project.path, 'tarballs');
  await mkdir(tarballs);
  packages.push(...(await packPublished(tarballs)));
  await installIntoBlankProject(join(project.path, 'app'), packages);
});

afterAll(async () => {
  await project?.remove();
});

describe('published packages, installed from their tarballs into a blank project', () => {
  it('hold only dist, README, LICENSE and package.json (plus presets, shipped model weights and native kernels)', async () => {
    expect(packages.length).toBeGreaterThanOrEqual(6);
    for (const pkg of packages) {
      const { stdout } = await run('tar', ['-tzf', pkg.tarball]);
      const files = stdout.trim().split('\n');
      const unexpected = files.filter(
        (file) =>
          !/^package\/(dist\/.+|README\.md|LICENSE|package\.json|presets\/[^/]+\.yaml|models\/[^/]+\/[^/]+\.(json|bin)|[^/]+\.node)$/.test(
            file,
          ),
      );
      expect(unexpected, `${pkg.name} ships unexpected files`).toEqual([]);
      expect(files).toContain('package/README.md');
      expect(files).toContain('package/LICENSE');
    }
  });

  it('run each README quick start as written', async () => {
    const app = join(project.path, 'app');
    const withQuickStart = packages.filter((pkg) => pkg.examples.includes('quick-start.mjs'));
    expect(withQuickStart.length).toBeGreaterThan(0);
    for (const pkg of withQuickStart) {
      const script = join(app, `${pkg.name.replace('@actlab/', '')}-quick-start.mjs`);
      await copyFile(join(pkg.folder, 'examples', 'quick-start.mjs'), script);
      const readme = await readFile(join(pkg.folder, 'README.md'), 'utf8');
      const example = (await readFile(script, 'utf8')).trim();
      expect(
        readme,
        `${pkg.name}: README quick start differs from examples/quick-start.mjs`,
      ).toContain(example);
      const { stdout } = await run('node', [script], { cwd: app, env: process.env });
      expect(stdout.trim().length, `${pkg.name} quick start printed nothing`).toBeGreaterThan(0);
    }
  });

  it('installs the actlab command, which prints the activation table', async () => {
    const app = join(project.path, 'app');
    const { stdout } = await run(join(app, 'node_modules', '.bin', 'actlab'), ['activations'], {
      cwd: app,
    });
    expect(stdout).toContain('lecunTanh');
    expect(stdout).toContain('sigmoid');
  });
});
