import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@actlab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');
const tfjsVersion = '4.22.0';

interface Published {
  name: string;
  folder: string;
  tarball: string;
  hasQuickStart: boolean;
}

async function publishedPackages(): Promise<Omit<Published, 'tarball'>[]> {
  const found: Omit<Published, 'tarball'>[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of await readdir(join(root, group))) {
      const folder = join(root, group, entry);
      let manifest: { name: string; private?: boolean };
      try {
        manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      if (manifest.private) continue;
      const hasQuickStart = (await readdir(folder)).includes('examples')
        ? (await readdir(join(folder, 'examples'))).includes('quick-start.mjs')
        : false;
      found.push({ name: manifest.name, folder, hasQuickStart });
    }
  }
  return found;
}

let project: { path: string; remove: () => Promise<void> };
const packages: Published[] = [];

beforeAll(async () => {
  project = await makeTempDir('actlab-consumer-');
  const tarballs = join(project.path, 'tarballs');
  await mkdir(tarballs);
  for (const pkg of await publishedPackages()) {
    // pnpm pack turns workspace:* into real version ranges, as publishing does.
    const { stdout } = await run('corepack', ['pnpm', 'pack', '--pack-destination', tarballs], {
      cwd: pkg.folder,
      env: { ...process.env, COREPACK_INTEGRITY_KEYS: '0' },
    });
    const tarball = stdout.trim().split('\n').pop() as string;
    packages.push({ ...pkg, tarball: resolve(pkg.folder, tarball) });
  }
  const app = join(project.path, 'app');
  await mkdir(app);
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...packages.map((pkg) => pkg.tarball),
      `@tensorflow/tfjs-core@${tfjsVersion}`,
      `@tensorflow/tfjs-layers@${tfjsVersion}`,
      `@tensorflow/tfjs-backend-cpu@${tfjsVersion}`,
      `@tensorflow/tfjs-backend-wasm@${tfjsVersion}`,
    ],
    { cwd: app, maxBuffer: 64 * 1024 * 1024 },
  );
});

afterAll(async () => {
  await project?.remove();
});

describe('published packages, installed from their tarballs into a blank project', () => {
  it('hold only dist, README, LICENSE and package.json (plus presets and shipped model weights)', async () => {
    expect(packages.length).toBeGreaterThanOrEqual(6);
    for (const pkg of packages) {
      const { stdout } = await run('tar', ['-tzf', pkg.tarball]);
      const files = stdout.trim().split('\n');
      const unexpected = files.filter(
        (file) =>
          !/^package\/(dist\/.+|README\.md|LICENSE|package\.json|presets\/[^/]+\.yaml|models\/[^/]+\/[^/]+\.(json|bin))$/.test(
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
    const withQuickStart = packages.filter((pkg) => pkg.hasQuickStart);
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
