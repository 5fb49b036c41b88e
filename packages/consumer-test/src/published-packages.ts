import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';

/** Runs a command and resolves with its output (rejects on a non-zero exit). */
export const run = promisify(execFile);

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
  /** Names of the files in its `examples/` folder (`quick-start.mjs`: its README's Node quick start). */
  examples: string[];
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
      const examples = (await readdir(folder)).includes('examples')
        ? await readdir(join(folder, 'examples'))
        : [];
      // A native addon (`./dense.node`) is require()d by the package that uses it, never imported;
      // a pattern (`./models/*`) exports files, not modules.
      const entryPoints = Object.entries(manifest.exports ?? {})
        .filter(
          ([key, target]) =>
            !notForNode.has(key) && !key.includes('*') && !String(target).endsWith('.node'),
        )
        .map(([key]) => key);
      const engines = manifest.engines?.node ?? '';
      found.push({ name: manifest.name, folder, examples, entryPoints, engines });
    }
  }
  return found;
}

/** A published workspace package, packed into a tarball. */
export type Published = WorkspacePackage & { tarball: string };

/**
 * Packs every published package (or those `include` accepts) into `destination` with `pnpm pack`,
 * which turns `workspace:*` into real version ranges, as publishing does.
 */
export async function packPublished(
  destination: string,
  include: (pkg: WorkspacePackage) => boolean = () => true,
): Promise<Published[]> {
  const packed: Published[] = [];
  for (const pkg of (await publishedPackages()).filter(include)) {
    const { stdout } = await run('corepack', ['pnpm', 'pack', '--pack-destination', destination], {
      cwd: pkg.folder,
      env: { ...process.env, COREPACK_INTEGRITY_KEYS: '0' },
    });
    const tarball = stdout.trim().split('\n').pop() as string;
    packed.push({ ...pkg, tarball: resolve(pkg.folder, tarball) });
  }
  return packed;
}

/**
 * The paths in a package tarball that users do not need: anything but `dist/`, the README,
 * LICENSE, `package.json`, the study presets, shipped model weights with their licences and
 * native addons (`*.node`).
 */
export function unexpectedFiles(paths: string[]): string[] {
  return paths.filter(
    (path) =>
      !/^package\/(dist\/.+|README\.md|LICENSE|CHANGELOG\.md|package\.json|presets\/[^/]+\.yaml|models\/[^/]+\/([^/]+\.(json|bin)|(LICENSE|NOTICE)[^/]*\.(md|txt))|[^/]+\.node)$/.test(
        path,
      ),
  );
}

/**
 * Copies each package's `examples/quick-start.mjs` into the consumer project `app`, checks that
 * its README shows it verbatim, runs it there with `node` and checks that it printed something.
 */
export async function expectQuickStartsToRun(packages: WorkspacePackage[], app: string) {
  const withQuickStart = packages.filter((pkg) => pkg.examples.includes('quick-start.mjs'));
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
  await mkdir(folder, { recursive: true });
  const manifest = { name: 'consumer', private: true, type: 'module' };
  await writeFile(join(folder, 'package.json'), JSON.stringify(manifest));
  if (options.npmrc) await writeFile(join(folder, '.npmrc'), options.npmrc);
  // One fetch attempt and a time limit: a registry npm cannot reach (a proxy's CA certificate
  // that Node's own CA list lacks, say) fails the test in minutes, saying why, instead of retrying
  // until the test's own limit.
  const install = ['install', '--no-audit', '--no-fund', '--loglevel=error', '--fetch-retries=0'];
  try {
    await run('npm', [...install, ...specs, ...tfjsPeers], {
      cwd: folder,
      env: options.env ?? process.env,
      maxBuffer: 64 * 1024 * 1024,
      timeout: installTimeoutMs,
    });
  } catch (error) {
    const { stderr = '', killed } = error as { stderr?: string; killed?: boolean };
    const why = killed ? `did not finish in ${installTimeoutMs / 1000} s` : 'failed';
    throw new Error(`npm install in ${folder} ${why} (${process.version}):\n${stderr}`);
  }
}

const installTimeoutMs = 240_000;
