import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf } from '../test-support/error-of.js';
import {
  encodeJpeg,
  encodePng,
  rgbaImage,
  tarGz,
  tinyBinaryRelease,
} from '../test-support/make-cifar10.js';
import { loadCifar10 } from './load-cifar10.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
let temp: { path: string; remove: () => Promise<void> };
const savedCacheHome = process.env.XDG_CACHE_HOME;
beforeEach(async () => {
  temp = await makeTempDir('actlab-cifar-');
  // The decoded cache of image archives goes to the temp folder, never to the real home.
  process.env.XDG_CACHE_HOME = join(temp.path, 'xdg-cache');
});
afterEach(async () => {
  if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCacheHome;
  await temp.remove();
});

async function writeFiles(folder: string, files: { path: string; bytes: Uint8Array }[]) {
  for (const file of files) {
    await mkdir(dirname(join(folder, file.path)), { recursive: true });
    await writeFile(join(folder, file.path), file.bytes);
  }
}

/** Two PNG images per class in train/ and one JPEG per class in test/, under a prefix. */
function imageFolderFiles(prefix = 'cifar-10-images/') {
  const classes = ['airplane', 'automobile', 'bird', 'cat', 'deer'];
  const files = classes.flatMap((name, label) => [
    { path: `${prefix}train/${name}/10.png`, bytes: encodePng(rgbaImage(label * 2 + 1)) },
    { path: `${prefix}train/${name}/2.png`, bytes: encodePng(rgbaImage(label * 2)) },
    { path: `${prefix}test/${name}/0000.jpg`, bytes: encodeJpeg(rgbaImage(label)) },
  ]);
  return [...files, { path: `${prefix}README.md`, bytes: new TextEncoder().encode('hi') }];
}
const offline = () => ({ cacheDir: join(temp.path, 'cache'), systemDirs: [], download: false });

describe('loadCifar10, binary format', () => {
  it('reads the batch files from a folder', async () => {
    await writeFiles(join(temp.path, 'bin'), tinyBinaryRelease());
    const data = await loadCifar10({ path: join(temp.path, 'bin') });
    expect([data.train.count, data.test.count, data.train.channels]).toEqual([15, 2, 3]);
  });

  it('locates a .tar.gz in ACTLAB_DATA_DIR/cifar-10 by its sha256', async () => {
    const archive = await tarGz(tinyBinaryRelease());
    await writeFiles(join(temp.path, 'data'), [{ path: 'cifar-10/tiny.tar.gz', bytes: archive }]);
    const saved = process.env.ACTLAB_DATA_DIR;
    process.env.ACTLAB_DATA_DIR = join(temp.path, 'data');
    try {
      const description = { name: 'tiny.tar.gz', bytes: archive.length, unpackedSha256: null };
      const data = await loadCifar10({
        archive: { ...description, sha256: sha256(archive) },
        ...offline(),
      });
      expect(Array.from(data.test.labels)).toEqual([0, 1]);
      const wrong = await errorOf(
        loadCifar10({ archive: { ...description, sha256: '0'.repeat(64) }, ...offline() }),
      );
      expect(wrong.code).toBe('CHECKSUM_MISMATCH');
      expect(wrong.message).toContain(join(temp.path, 'data', 'cifar-10', 'tiny.tar.gz'));
    } finally {
      if (saved === undefined) delete process.env.ACTLAB_DATA_DIR;
      else process.env.ACTLAB_DATA_DIR = saved;
    }
  });

  it('says where it looked for cifar-10-binary.tar.gz when nothing is there', async () => {
    const error = await errorOf(loadCifar10({ dataDir: join(temp.path, 'none'), ...offline() }));
    expect(error.code).toBe('DATASET_NOT_FOUND');
    expect(error.message).toContain(join(temp.path, 'none', 'cifar-10', 'cifar-10-binary.tar.gz'));
  });

  it('rejects a batch of the wrong length inside an archive', async () => {
    const files = tinyBinaryRelease().map((file) =>
      file.path.endsWith('test_batch.bin') ? { ...file, bytes: file.bytes.subarray(1) } : file,
    );
    await writeFiles(temp.path, [{ path: 'bad.tar.gz', bytes: await tarGz(files) }]);
    const error = await errorOf(loadCifar10({ path: join(temp.path, 'bad.tar.gz') }));
    expect(error.code).toBe('CIFAR_BAD_RECORD_LENGTH');
    expect(error.message).toContain('test_batch.bin');
  });

  it('rejects bytes that are not a tar archive, and gzip that does not unpack', async () => {
    await writeFiles(temp.path, [
      { path: 'noise.tar', bytes: new Uint8Array(2048).fill(7) },
      { path: 'cut.tar.gz', bytes: (await tarGz(tinyBinaryRelease())).subarray(0, 100) },
    ]);
    expect((await errorOf(loadCifar10({ path: join(temp.path, 'noise.tar') }))).code).toBe(
      'ARCHIVE_CORRUPT',
    );
    expect((await errorOf(loadCifar10({ path: join(temp.path, 'cut.tar.gz') }))).code).toBe(
      'GZIP_CORRUPT',
    );
  });
});

describe('loadCifar10, image folders', () => {
  it('reads train/<class>/* and test/<class>/* from a .tar.gz, ordered by class then number', async () => {
    await writeFiles(temp.path, [
      { path: 'images.tar.gz', bytes: await tarGz(imageFolderFiles()) },
    ]);
    const data = await loadCifar10({ format: 'images', path: join(temp.path, 'images.tar.gz') });
    expect([data.train.count, data.test.count, data.train.channels]).toEqual([10, 5, 3]);
    expect(Array.from(data.train.labels)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    // PNG is lossless: train image 1 of class 0 is 10.png (seed 1), after 2.png (seed 0).
    const expected = rgbaImage(1);
    const second = data.train.images.subarray(3072, 6144);
    expect([second[0], second[1], second[2]]).toEqual([expected[0], expected[1], expected[2]]);
  });

  it('reads the same images from a folder, and JPEG within a few levels of the original', async () => {
    await writeFiles(join(temp.path, 'images'), imageFolderFiles(''));
    const data = await loadCifar10({ format: 'images', path: join(temp.path, 'images') });
    expect(data.test.count).toBe(5);
    const original = rgbaImage(3);
    const decoded = data.test.images.subarray(3 * 3072, 4 * 3072);
    let error = 0;
    for (let i = 0; i < 1024; i++) {
      for (let c = 0; c < 3; c++)
        error += Math.abs((decoded[i * 3 + c] as number) - (original[i * 4 + c] as number));
    }
    expect(error / 3072).toBeLessThan(8);
  });

  it('rejects a class folder that is not a CIFAR-10 class', async () => {
    const files = [
      ...imageFolderFiles(''),
      { path: 'train/unicorn/0.png', bytes: encodePng(rgbaImage(0)) },
    ];
    await writeFiles(join(temp.path, 'images'), files);
    const error = await errorOf(loadCifar10({ format: 'images', path: join(temp.path, 'images') }));
    expect(error.code).toBe('UNKNOWN_CLASS_FOLDER');
    expect(error.message).toContain('unicorn');
  });

  it('rejects an image of the wrong size and a file that is not an image', async () => {
    const big = [
      ...imageFolderFiles(''),
      { path: 'test/cat/9.png', bytes: encodePng(rgbaImage(0, 33), 33) },
    ];
    await writeFiles(join(temp.path, 'big'), big);
    const error = await errorOf(loadCifar10({ format: 'images', path: join(temp.path, 'big') }));
    expect(error.code).toBe('BAD_IMAGE_SIZE');
    expect(error.message).toContain('33×33');
    const text = [...imageFolderFiles(''), { path: 'test/cat/9.png', bytes: new Uint8Array(40) }];
    await writeFiles(join(temp.path, 'text'), text);
    const notImage = await errorOf(
      loadCifar10({ format: 'images', path: join(temp.path, 'text') }),
    );
    expect(notImage.code).toBe('IMAGE_DECODE_FAILED');
  });

  it('rejects folders without a test split', async () => {
    const files = imageFolderFiles('').filter((file) => !file.path.startsWith('test/'));
    await writeFiles(join(temp.path, 'images'), files);
    const error = await errorOf(loadCifar10({ format: 'images', path: join(temp.path, 'images') }));
    expect(error.code).toBe('IMAGE_FOLDERS_EMPTY');
  });
});

describe('loadCifar10, limit and classes', () => {
  it('decodes only the first images of each chosen class by file number, balanced, labels in CIFAR order', async () => {
    // A damaged image after the chosen ones is never decoded.
    const files = [
      ...imageFolderFiles(''),
      { path: 'train/cat/99.png', bytes: new Uint8Array(40) },
    ];
    await writeFiles(join(temp.path, 'images'), files);
    const data = await loadCifar10({
      format: 'images',
      path: join(temp.path, 'images'),
      classes: ['cat', 'airplane', 'bird'],
      limit: 4,
    });
    expect(Array.from(data.train.labels)).toEqual([0, 0, 2, 3]);
    expect(Array.from(data.test.labels)).toEqual([0, 2, 3]);
    // The first airplane is 2.png (seed 0), the second 10.png (seed 1): numeric order.
    expect([data.train.images[0], data.train.images[3072]]).toEqual([
      rgbaImage(0)[0],
      rgbaImage(1)[0],
    ]);
    const all = await loadCifar10({ format: 'images', path: join(temp.path, 'images'), limit: 5 });
    expect(Array.from(all.train.labels)).toEqual([0, 1, 2, 3, 4]);
  });

  it('selects records of the binary release the same way', async () => {
    await writeFiles(join(temp.path, 'bin'), tinyBinaryRelease());
    const data = await loadCifar10({ path: join(temp.path, 'bin'), limit: 2, classes: ['truck'] });
    expect(Array.from(data.train.labels)).toEqual([9]);
    expect(data.test.count).toBe(0);
  });

  it('rejects a bad limit or an unknown class before reading anything', async () => {
    const missing = join(temp.path, 'none');
    expect((await errorOf(loadCifar10({ path: missing, limit: 0 }))).code).toBe('INVALID_OPTION');
    const unknown = await errorOf(loadCifar10({ path: missing, classes: ['unicorn'] }));
    expect(unknown.code).toBe('INVALID_OPTION');
    expect(unknown.message).toContain('unicorn');
  });
});
