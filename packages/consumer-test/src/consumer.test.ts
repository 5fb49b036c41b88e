import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectQuickStartsToRun,
  installConsumerProject,
  type Published,
  packPublished,
  run,
  unexpectedFiles,
} from './published-packages.js';

let project: { path: string; remove: () => Promise<void> };
const packages: Published[] = [];

beforeAll(async () => {
  project = await makeTempDir('actlab-consumer-');
  const tarballs = join(project.path, 'tarballs');
  await mkdir(tarballs);
  packages.push(...(await packPublished(tarballs)));
  await installConsumerProject(
    join(project.path, 'app'),
    packages.map((pkg) => pkg.tarball),
  );
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
      expect(unexpectedFiles(files), `${pkg.name} ships unexpected files`).toEqual([]);
      expect(files).toContain('package/README.md');
      expect(files).toContain('package/LICENSE');
    }
  });

  it('run each README quick start as written', async () => {
    const app = join(project.path, 'app');
    await expectQuickStartsToRun(packages, app);
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

/**
 * A CommonJS file that `require()`s each entry point and `import()`s it too, and prints, per
 * entry point, the names each gives and whether both are the same module instance.
 */
const requireEveryEntryPoint = `
const specifiers = JSON.parse(process.argv[2]);
(async () => {
  const report = {};
  for (const specifier of specifiers) {
    try {
      const required = require(specifier);
      const imported = await import(specifier);
      report[specifier] = {
        names: Object.keys(required).sort(),
        importedNames: Object.keys(imported).sort(),
        sameInstance: required === imported,
      };
    } catch (error) {
      report[specifier] = { error: \`\${error.code}: \${error.message.split('\\n')[0]}\` };
    }
  }
  console.log(JSON.stringify(report));
})();
`;

describe('published packages, from a CommonJS project', () => {
  it('require() every Node entry point, getting the same module instance as import()', async () => {
    const app = join(project.path, 'app');
    const specifiers = packages.flatMap((pkg) =>
      pkg.entryPoints.map((entry) => join(pkg.name, entry)),
    );
    expect(specifiers).toContain('@actlab/activations');
    expect(specifiers).toContain('@actlab/study');
    expect(specifiers).toContain('@actlab/mnist-loader/tensors');
    await writeFile(join(app, 'require-every-entry-point.cjs'), requireEveryEntryPoint);
    const { stdout } = await run(
      'node',
      ['require-every-entry-point.cjs', JSON.stringify(specifiers)],
      { cwd: app },
    );
    const report = JSON.parse(stdout);
    for (const specifier of specifiers) {
      expect(report[specifier], specifier).not.toHaveProperty('error');
      expect(report[specifier].names.length, specifier).toBeGreaterThan(0);
      expect(report[specifier].names, specifier).toEqual(report[specifier].importedNames);
      expect(report[specifier].sameInstance, specifier).toBe(true);
    }
  });

  it('import() @actlab/study from CommonJS', async () => {
    const app = join(project.path, 'app');
    const script = `import('@actlab/study').then((study) => console.log(Object.keys(study).length));`;
    await writeFile(join(app, 'import-study.cjs'), script);
    const { stdout } = await run('node', ['import-study.cjs'], { cwd: app });
    expect(Number(stdout.trim())).toBeGreaterThan(0);
  });

  it('all declare the Node range they are tested on, which includes this Node', () => {
    const ranges = new Set(packages.map((pkg) => pkg.engines));
    expect([...ranges]).toEqual(['^20.19.0 || >=22.12.0']);
    expect(semver.satisfies(process.version, [...ranges][0] as string)).toBe(true);
  });
});
