import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { type LocalRegistry, startLocalRegistry } from './local-registry.js';
import {
  expectQuickStartsToRun,
  installConsumerProject,
  publishedPackages,
  repoRoot,
  run,
  unexpectedFiles,
  type WorkspacePackage,
} from './published-packages.js';

const changeset = join(repoRoot, 'node_modules', '.bin', 'changeset');
/** The largest tarball we accept: the two packages with shipped weights are ~0.9 MB. */
const maxTarballBytes = 1_500_000;

interface Release {
  pkg: WorkspacePackage;
  version: string;
  /** The manifest of that version as the registry serves it. */
  manifest: Record<string, Record<string, string> | string> & {
    dist: { tarball: string; integrity: string };
  };
  tarball: string;
  bytes: number;
}

let work: { path: string; remove: () => Promise<void> };
let registry: LocalRegistry | undefined;
let skipReason: string | undefined;
const releases: Release[] = [];
let app: string;

/** The environment without the npm_config_* settings pnpm gives its scripts (a registry among them). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_(config|package|lifecycle)_/i.test(key)),
  );
  return { ...env, ...extra };
}

/** Copies the files git would commit (tracked or new, not ignored) and each package's build. */
async function copyWorkspace(to: string, packages: WorkspacePackage[]): Promise<void> {
  const { stdout } = await run(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(repoRoot, file))) continue;
    await mkdir(dirname(join(to, file)), { recursive: true });
    await cp(join(repoRoot, file), join(to, file));
  }
  for (const pkg of packages) {
    const relative = pkg.folder.slice(repoRoot.length + 1);
    // A package without a build (the native kernels' package) has no dist to copy.
    if (!existsSync(join(pkg.folder, 'dist'))) continue;
    await cp(join(pkg.folder, 'dist'), join(to, relative, 'dist'), { recursive: true });
  }
}

beforeAll(async () => {
  work = await makeTempDir('actlab-release-');
  try {
    registry = await startLocalRegistry(join(work.path, 'registry'));
  } catch (error) {
    if (process.env.CI) throw error;
    skipReason = `release rehearsal skipped: Verdaccio could not start on 127.0.0.1 (${(error as Error).message})`;
    console.warn(skipReason);
    return;
  }
  const copy = join(work.path, 'repo');
  await copyWorkspace(copy, await publishedPackages());
  // What the release job does: a user .npmrc with the registry and NPM_TOKEN (as
  // changesets/action writes it), the workspace installed, then version and publish.
  const userConfig = join(work.path, 'npmrc');
  const host = registry.url.replace(/^http:/, '');
  await writeFile(userConfig, `registry=${registry.url}\n${host}:_authToken=\${NPM_TOKEN}\n`);
  const env = cleanEnv({
    NPM_TOKEN: registry.token,
    npm_config_userconfig: userConfig,
    // changeset publish reads the registry from here (`pnpm changeset publish` sets it).
    npm_config_registry: registry.url,
    COREPACK_INTEGRITY_KEYS: '0',
  });
  // The docs site and the CI Node binaries are not needed to publish.
  const install = ['install', '--frozen-lockfile', '--offline', '--ignore-scripts'];
  const skip = ['--filter=!docs', '--filter=!@actlab/node-runtimes'];
  await run('corepack', ['pnpm', ...install, ...skip], {
    cwd: copy,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  await run(changeset, ['version'], { cwd: copy, env });
  await run(changeset, ['publish', '--no-git-tag'], {
    cwd: copy,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });

  const tarballs = join(work.path, 'tarballs');
  await mkdir(tarballs);
  for (const pkg of await publishedPackages(copy)) {
    const { version } = JSON.parse(await readFile(join(pkg.folder, 'package.json'), 'utf8'));
    const response = await fetch(`${registry.url}${pkg.name.replace('/', '%2f')}`);
    const packument = await response.json();
    const manifest = packument.versions?.[version];
    if (!manifest) throw new Error(`${pkg.name}@${version} is not on the local registry`);
    const tarball = join(tarballs, `${pkg.name.replace('@actlab/', '')}-${version}.tgz`);
    await writeFile(tarball, Buffer.from(await (await fetch(manifest.dist.tarball)).arrayBuffer()));
    releases.push({ pkg, version, manifest, tarball, bytes: (await stat(tarball)).size });
  }

  // A blank project outside the workspace; @actlab packages come from the local registry only.
  app = join(work.path, 'app');
  await installConsumerProject(
    app,
    releases.map((release) => release.pkg.name),
    { npmrc: `@actlab:registry=${registry.url}\n`, env: cleanEnv() },
  );
});

afterAll(async () => {
  await registry?.close();
  await work?.remove();
});

function needsRegistry(context: TestContext): void {
  if (skipReason) context.skip();
}

describe('release rehearsal: changeset version + publish to a local Verdaccio, install from it', () => {
  it('publishes every public package at the version changeset version gave it', (context) => {
    needsRegistry(context);
    expect(releases.map((release) => release.pkg.name)).toContain('@actlab/study');
    expect(releases.length).toBeGreaterThanOrEqual(8);
    for (const release of releases) {
      expect(release.version, release.pkg.name).not.toBe('0.0.0');
      expect(release.manifest.version).toBe(release.version);
    }
  });

  it("rewrites internal workspace:* ranges to the published packages' versions", (context) => {
    needsRegistry(context);
    const versions = new Map(releases.map((release) => [release.pkg.name, release.version]));
    for (const release of releases) {
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
        const ranges = (release.manifest[field] ?? {}) as Record<string, string>;
        for (const [name, range] of Object.entries(ranges)) {
          expect(range, `${release.pkg.name} ${field} ${name}`).not.toMatch(/^workspace:/);
          if (versions.has(name))
            expect(range, `${release.pkg.name} → ${name}`).toBe(versions.get(name));
        }
      }
    }
  });

  it('publishes tarballs without tests or datasets, source maps that carry their sources, each under 1.5 MB', async (context) => {
    needsRegistry(context);
    const sizes: Record<string, string> = {};
    for (const release of releases) {
      const { stdout } = await run('tar', ['-tzf', release.tarball]);
      const files = stdout.trim().split('\n');
      expect(unexpectedFiles(files), `${release.pkg.name} ships unexpected files`).toEqual([]);
      expect(
        files.filter((file) => /\.(test|spec|e2e)\.|\.(gz|ubyte|jpe?g|png|xml)$/.test(file)),
      ).toEqual([]);
      for (const map of files.filter((file) => file.endsWith('.map'))) {
        const { stdout: text } = await run('tar', ['-xzOf', release.tarball, map], {
          maxBuffer: 64 * 1024 * 1024,
        });
        const sourceMap = JSON.parse(text) as {
          sources: string[];
          sourcesContent?: (string | null)[];
        };
        // The sources (src/) are not shipped, so a map is only useful if it carries them.
        expect(sourceMap.sourcesContent?.length, `${release.pkg.name} ${map}`).toBe(
          sourceMap.sources.length,
        );
        expect(sourceMap.sourcesContent?.every((source) => typeof source === 'string')).toBe(true);
      }
      expect(release.bytes, `${release.pkg.name} tarball bytes`).toBeLessThan(maxTarballBytes);
      sizes[`${release.pkg.name}@${release.version}`] =
        `${(release.bytes / 1000).toFixed(1)} kB, ${files.length} files`;
    }
    console.log(sizes);
  });

  it('installs every package from the local registry alone', async (context) => {
    needsRegistry(context);
    const lock = JSON.parse(await readFile(join(app, 'package-lock.json'), 'utf8'));
    for (const release of releases) {
      const entry = lock.packages[`node_modules/${release.pkg.name}`];
      expect(entry?.version, release.pkg.name).toBe(release.version);
      // The tarball the registry served for that version, not another copy.
      expect(entry?.integrity, release.pkg.name).toBe(release.manifest.dist.integrity);
    }
  });

  it('runs every README quick start as written', async (context) => {
    needsRegistry(context);
    await expectQuickStartsToRun(
      releases.map((release) => release.pkg),
      app,
    );
  });

  it('runs `npx actlab activations` and `npx actlab run depth-activation --quick`', async (context) => {
    needsRegistry(context);
    const { stdout } = await run('npx', ['--no', 'actlab', 'activations'], {
      cwd: app,
      env: cleanEnv(),
    });
    expect(stdout).toContain('sigmoid');
    if (!process.env.ACTLAB_DATA_DIR) {
      if (process.env.CI) throw new Error('ACTLAB_DATA_DIR must be set in CI');
      console.warn('depth-activation --quick skipped: ACTLAB_DATA_DIR (with mnist/) is not set');
      return;
    }
    await run('npx', ['--no', 'actlab', 'run', 'depth-activation', '--quick'], {
      cwd: app,
      env: cleanEnv(),
      maxBuffer: 64 * 1024 * 1024,
    });
    const report = await readFile(join(app, 'runs', 'depth-activation-quick', 'report.md'), 'utf8');
    expect(report).toContain('depth');
    expect(existsSync(join(app, 'runs', 'depth-activation-quick', 'report.html'))).toBe(true);
  });
});
