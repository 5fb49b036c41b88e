import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';

const run = promisify(execFile);

/** The monorepo's root folder. */
export const repoRoot = resolve(import.meta.dirname, '../../..');

/** The tfjs version the consumer projects install as the packages' peers. */
export const tfjsVersion = '4.22.0';

/** The tfjs peers every consumer project installs beside the packages. */
export const tfjsPeers = ['tfjs-core', 'tfjs-layers', 'tfjs-backend-cpu', 'tfjs-backend-wasm'].map(
  (name) => `@tensorflow/${name}@${tfjsVersion}`,
);

/** A public (non-private) package of the workspace. */
export interface WorkspacePackage {
  name: string;
  folder: string;
  /** Whether it has `examples/quick-start.mjs`, the quick start its README shows. */
  hasQuickStart: boolean;
  /** The entry points of its `exports` map that Node loads (`.`, `./tensors`, …). */
  entryPoints: string[];
  /** Its `engines.node` range. */
  engines: string;
}

/** Entry points that are not for Node: the browser builds (which use top-level await). */
const notForNode = new Set(['./package.json', './browser']);

/** Every package under `packages/` and `apps/` of `root` that is not private. */
export async function publishedPackages(root = repoRoot): Promise<WorkspacePackage[]> {
  const found: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of await readdir(join(root, group))) {
      const folder = join(root, group, entry);
      let manifest: {
        name: string;
        private?: boolean;
        exports?: Record<string, unknown>;
        engines?: { node?: string };
      };
      try {
        manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      if (manifest.private) continue;
      const hasQuickStart = (await readdir(folder)).includes('examples')
        ? (await readdir(join(folder, 'examples'))).includes('quick-start.mjs')
        : false;
      const entryPoints = Object.keys(manifest.exports ?? {}).filter((key) => !notForNode.has(key));
      const engines = manifest.engines?.node ?? '';
      found.push({ name: manifest.name, folder, hasQuickStart, entryPoints, engines });
    }
  }
  return found;
}

/**
 * The paths in a package tarball that users do not need: anything but `dist/`, the README,
 * LICENSE, `package.json`, the study presets and shipped model weights.
 */
export function unexpectedFiles(paths: string[]): string[] {
  return paths.filter(
    (path) =>
      !/^package\/(dist\/.+|README\.md|LICENSE|CHANGELOG\.md|package\.json|presets\/[^/]+\.yaml|models\/[^/]+\/[^/]+\.(json|bin))$/.test(
        path,
      ),
  );
}

/**
 * Copies each package's `examples/quick-start.mjs` into the consumer project `app`, checks that
 * its README shows it verbatim, runs it there with `node` and checks that it printed something.
 */
export async function expectQuickStartsToRun(packages: WorkspacePackage[], app: string) {
  const withQuickStart = packages.filter((pkg) => pkg.hasQuickStart);
  expect(withQuickStart.length).toBeGreaterThan(0);
  for (const pkg of withQuickStart) {
    const script = join(app, `${pkg.name.replace('@actlab/', '')}-quick-start.mjs`);
    await copyFile(join(pkg.folder, 'examples', 'quick-start.mjs'), script);
    const readme = await readFile(join(pkg.folder, 'README.md'), 'utf8');
    const example = (await readFile(script, 'utf8')).trim();
    expect(readme, `${pkg.name}: README quick start differs from its example`).toContain(example);
    const { stdout } = await run('node', [script], { cwd: app, env: process.env });
    expect(stdout.trim().length, `${pkg.name} quick start printed nothing`).toBeGreaterThan(0);
  }
}

/**
 * Makes a blank ES-module project in `folder` (outside the workspace) and `npm install`s
 * `specs` (tarballs or package names) with the tfjs peers; `npmrc` becomes its `.npmrc`.
 */
export async function installConsumerProject(
  folder: string,
  specs: string[],
  options: { npmrc?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  await mkdir(folder);
  const manifest = { name: 'consumer', private: true, type: 'module' };
  await writeFile(join(folder, 'package.json'), JSON.stringify(manifest));
  if (options.npmrc) await writeFile(join(folder, '.npmrc'), options.npmrc);
  const install = ['install', '--no-audit', '--no-fund', '--loglevel=error'];
  await run('npm', [...install, ...specs, ...tfjsPeers], {
    cwd: folder,
    env: options.env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
}
