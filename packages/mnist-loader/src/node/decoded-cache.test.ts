import { createHash } from 'node:crypto';
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { imageDecoderId } from '../cifar10/decode-image.js';
import { encodeJpeg, encodePng, rgbaImage, tarGz } from '../test-support/make-cifar10.js';
import { decodedCachePath, readDecodedCache, writeDecodedCache } from './decoded-cache.js';
import { loadCifar10 } from './load-cifar10.js';

let temp: { path: string; remove: () => Promise<void> };
let archivePath: string;
let sha256: string;
const savedCacheHome = process.env.XDG_CACHE_HOME;
beforeEach(async () => {
  temp = await makeTempDir('actlab-decoded-');
  process.env.XDG_CACHE_HOME = join(temp.path, 'home-cache');
  // Three train images (PNG) and one test image (JPEG) per class for four classes.
  const classes = ['airplane', 'automobile', 'bird', 'cat'];
  const files = classes.flatMap((name, label) => [
    ...[0, 1, 2].map((n) => ({
      path: `x/train/${name}/${n}.png`,
      bytes: encodePng(rgbaImage(label * 3 + n)),
    })),
    { path: `x/test/${name}/0.jpg`, bytes: encodeJpeg(rgbaImage(label)) },
  ]);
  const archive = await tarGz(files);
  archivePath = join(temp.path, 'images.tar.gz');
  await writeFile(archivePath, archive);
  sha256 = createHash('sha256').update(archive).digest('hex');
});
afterEach(async () => {
  if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCacheHome;
  await temp.remove();
});

const load = (extra: object = {}) => loadCifar10({ format: 'images', path: archivePath, ...extra });
const arrays = (data: Awaited<ReturnType<typeof load>>) =>
  [data.train.images, data.train.labels, data.test.images, data.test.labels].map((a) =>
    Array.from(a),
  );

describe('the decoded cache of image archives', () => {
  it('is written after a full decode under $XDG_CACHE_HOME/actlab, and read back identical', async () => {
    const first = await load();
    const path = decodedCachePath(join(temp.path, 'home-cache', 'actlab'), sha256);
    expect(path).toContain(join('cifar-10', 'decoded', `${sha256}-${imageDecoderId}.bin`));
    const cached = await readDecodedCache(path, sha256);
    expect(cached && arrays(cached)).toEqual(arrays(first));
    expect(arrays(await load())).toEqual(arrays(first));
    // No temp file is left beside it.
    expect(await readdir(join(path, '..'))).toEqual([`${sha256}-${imageDecoderId}.bin`]);
  });

  it('serves later loads, subsets too, from the cache instead of decoding', async () => {
    const decoded = await load({ decodedCache: false });
    // A valid cache with other pixels: a load that returns them read the cache.
    const marked = {
      ...decoded,
      train: { ...decoded.train, images: decoded.train.images.map((v) => 255 - v) },
    };
    const cacheDir = join(temp.path, 'cache');
    await writeDecodedCache(decodedCachePath(cacheDir, sha256), sha256, marked);
    expect(arrays(await load({ cacheDir }))).toEqual(arrays(marked));
    const subset = await load({ cacheDir, limit: 3, classes: ['cat', 'bird'] });
    expect(Array.from(subset.train.labels)).toEqual([2, 2, 3]);
    expect(subset.train.images[0]).toBe(marked.train.images[6 * 3072]);
    // The same subset decoded directly matches the unmarked pixels.
    const direct = await load({
      cacheDir,
      limit: 3,
      classes: ['cat', 'bird'],
      decodedCache: false,
    });
    expect(direct.train.images[0]).toBe(decoded.train.images[6 * 3072]);
  });

  it('detects a damaged or truncated cache and rebuilds it', async () => {
    const cacheDir = join(temp.path, 'cache');
    const path = decodedCachePath(cacheDir, sha256);
    const first = arrays(await load({ cacheDir }));
    const bytes = await readFile(path);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 0xff;
    await writeFile(path, bytes);
    expect(await readDecodedCache(path, sha256)).toBeUndefined();
    expect(arrays(await load({ cacheDir }))).toEqual(first);
    expect(await readDecodedCache(path, sha256)).toBeDefined();
    await truncate(path, 1000);
    expect(await readDecodedCache(path, sha256)).toBeUndefined();
    expect(arrays(await load({ cacheDir }))).toEqual(first);
    expect((await readFile(path)).length).toBe(bytes.length);
    // A cache made for another archive is not used for this one.
    expect(await readDecodedCache(path, '0'.repeat(64))).toBeUndefined();
  });

  it('writes nothing with decodedCache: false, and nothing for a subset load', async () => {
    const cacheDir = join(temp.path, 'cache');
    await load({ cacheDir, decodedCache: false });
    await load({ cacheDir, limit: 2 });
    await expect(readdir(cacheDir)).rejects.toThrow();
  });

  it('rejects a decodedCache that is not a boolean', async () => {
    await expect(load({ decodedCache: 'no' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('names the installed jpeg-js and pngjs versions in its decoder id', () => {
    const require = createRequire(import.meta.url);
    const versionOf = (name: string) => require(`${name}/package.json`).version as string;
    expect(imageDecoderId).toContain(`jpegjs${versionOf('jpeg-js')}`);
    expect(imageDecoderId).toContain(`pngjs${versionOf('pngjs')}`);
  });
});
