import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/** Runs a command and resolves with its output (rejects on a non-zero exit). */
export const run = promisify(execFile);

/** The repository's root folder. */
export const repositoryRoot = resolve(import.meta.dirname, '../../..');

/** A published workspace package, packed. */
export interface Published {
  name: string;
  folder: string;
  tarball: string;
  /** Names of the files in its `examples/` folder. */
  examples: string[];
}

async function publishedPackages(): Promise<Omit<Published, 'tarball'>[]> {
  const found: Omit<Published, 'tarball'>[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of await readdir(join(repositoryRoot, group))) {
      const folder = join(repositoryRoot, group, entry);
      let manifest: { name: string; private?: boolean };
      try {
        manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      if (manifest.private) continue;
      const examples = (await readdir(folder)).includes('examples')
        ? await readdir(join(folder, 'examples'))
        : [];
      found.push({ name: manifest.name, folder, examples });
    }
  }
  return found;
}

/**
 * Packs every published (not private) package of `packages/` and `apps/` into `destination` with
 * `pnpm pack`, which turns `workspace:*` into real version ranges, as publishing does.
 *
 * @param include - packs only the packages this accepts (default: all)
 */
export async function packPublished(
  destination: string,
  include: (pkg: Omit<Published, 'tarball'>) => boolean = () => true,
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

/** The tfjs version both consumer projects install beside our packages. */
const tfjsVersion = '4.22.0';

/**
 * Makes `folder` a blank npm project (`package.json` only) and installs into it, with npm as a user
 * would, the tarballs, tfjs (core, layers, the cpu and wasm backends) and any `extra` packages.
 */
export async function installIntoBlankProject(
  folder: string,
  tarballs: Published[],
  extra: string[] = [],
): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(
    join(folder, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs.map((pkg) => pkg.tarball),
      ...['core', 'layers', 'backend-cpu', 'backend-wasm'].map(
        (name) => `@tensorflow/tfjs-${name}@${tfjsVersion}`,
      ),
      ...extra,
    ],
    { cwd: folder, maxBuffer: 64 * 1024 * 1024 },
  );
}
