import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, startLoopbackServer } from '@actlab/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KnownDataset, KnownFile } from '../known-files.js';
import { labelCounts } from '../set-tools.js';
import { errorOf } from '../test-support/error-of.js';
import { tinyDataset, withGzipName } from '../test-support/make-idx.js';
import { loadMnist } from './load-mnist.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
// Like the upstream files, the "original" gzip files carry a file name and an mtime in their
// header; tinyDataset's own gzip output (no name, mtime 0) then plays Debian's re-compressed copy.
function upstreamLike(set: ReturnType<typeof tinyDataset>) {
  return {
    ...set,
    debianImagesGz: set.imagesGz,
    debianLabelsGz: set.labelsGz,
    imagesGz: withGzipName(set.imagesGz, 'images-idx3-ubyte', 0x3290827a),
    labelsGz: withGzipName(set.labelsGz, 'labels-idx1-ubyte', 0x3290827a),
  };
}
const tiny = { train: upstreamLike(tinyDataset(20)), test: upstreamLike(tinyDataset(10)) };

function descriptor(mirrors: string[] = []): KnownDataset {
  const entry = (
    role: KnownDataset['files'][number]['role'],
    name: string,
    gz: Uint8Array,
    raw: Uint8Array,
  ) => ({
    role,
    name,
    bytes: gz.length,
    sha256: sha256(gz),
    unpackedSha256: sha256(raw),
  });
  return {
    name: 'tiny' as never,
    mirrors,
    classNames: [],
    files: [
      entry('trainImages', 'train-images-idx3-ubyte.gz', tiny.train.imagesGz, tiny.train.imagesIdx),
      entry('trainLabels', 'train-labels-idx1-ubyte.gz', tiny.train.labelsGz, tiny.train.labelsIdx),
      entry('testImages', 't10k-images-idx3-ubyte.gz', tiny.test.imagesGz, tiny.test.imagesIdx),
      entry('testLabels', 't10k-labels-idx1-ubyte.gz', tiny.test.labelsGz, tiny.test.labelsIdx),
    ],
  };
}

const bodies: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte.gz': tiny.train.imagesGz,
  'train-labels-idx1-ubyte.gz': tiny.train.labelsGz,
  't10k-images-idx3-ubyte.gz': tiny.test.imagesGz,
  't10k-labels-idx1-ubyte.gz': tiny.test.labelsGz,
};

async function writeDataset(
  folder: string,
  files: Record<string, Uint8Array> = bodies,
): Promise<void> {
  await mkdir(join(folder, 'tiny'), { recursive: true });
  for (const [name, bytes] of Object.entries(files))
    await writeFile(join(folder, 'tiny', name), bytes);
}

let temp: { path: string; remove: () => Promise<void> };
const cacheDir = () => join(temp.path, 'cache');
const offline = () => ({ cacheDir: cacheDir(), systemDirs: [] as string[] });

beforeEach(async () => {
  temp = await makeTempDir('actlab-loader-');
});
afterEach(async () => {
  await temp.remove();
});

function serve(
  prefix: string,
  override: Record<
    string,
    (request: unknown, response: import('node:http').ServerResponse) => void
  > = {},
) {
  return Object.fromEntries(
    Object.entries(bodies).map(([name, bytes]) => [
      `${prefix}${name}`,
      override[name] ??
        ((_request: unknown, response: import('node:http').ServerResponse) => {
          response.setHeader('content-length', bytes.length);
          response.end(bytes);
        }),
    ]),
  );
}

describe('loadMnist sources', () => {
  it('loads from a data folder, verified, with images and labels paired', async () => {
    await writeDataset(join(temp.path, 'data'));
    const data = await loadMnist({
      dataset: descriptor(),
      dataDir: join(temp.path, 'data'),
      download: false,
      ...offline(),
    });
    expect(data.train.count).toBe(20);
    expect(data.test.count).toBe(10);
    expect([data.train.height, data.train.width]).toEqual([4, 4]);
    expect(Array.from(data.train.labels)).toEqual(tiny.train.labels);
  });

  it('accepts a Debian re-compressed copy in a system folder by the sha256 of its unpacked bytes', async () => {
    const debian = {
      'train-images-idx3-ubyte.gz': tiny.train.debianImagesGz,
      'train-labels-idx1-ubyte.gz': tiny.train.debianLabelsGz,
      't10k-images-idx3-ubyte.gz': tiny.test.debianImagesGz,
      't10k-labels-idx1-ubyte.gz': tiny.test.debianLabelsGz,
    };
    expect(sha256(debian['train-images-idx3-ubyte.gz'])).not.toBe(sha256(tiny.train.imagesGz));
    const system = join(temp.path, 'usr-share-datasets');
    await writeDataset(system, debian);
    const data = await loadMnist({
      dataset: descriptor(),
      cacheDir: cacheDir(),
      systemDirs: [join(temp.path, 'missing'), system],
      download: false,
    });
    expect(data.train.count).toBe(20);
    expect(Array.from(data.test.labels)).toEqual(tiny.test.labels);
  });

  it('refuses a re-compressed copy when the table has no unpacked sha256 for it', async () => {
    const system = join(temp.path, 'usr-share-datasets');
    await writeDataset(system, {
      ...bodies,
      'train-labels-idx1-ubyte.gz': tiny.train.debianLabelsGz,
    });
    const withoutUnpacked = descriptor();
    withoutUnpacked.files = withoutUnpacked.files.map((file) => ({
      ...file,
      unpackedSha256: null,
    }));
    const error = await errorOf(
      loadMnist({
        dataset: withoutUnpacked,
        cacheDir: cacheDir(),
        systemDirs: [system],
        download: false,
      }),
    );
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toContain('train-labels-idx1-ubyte.gz (system folder): sha256');
  });

  it('looks in the data folder, the cache, then the system folders, and takes the first good copy', async () => {
    const data = join(temp.path, 'data');
    const system = join(temp.path, 'system');
    const bad = { 'train-images-idx3-ubyte.gz': new Uint8Array([1, 2, 3]) };
    await writeDataset(data, bad);
    await writeDataset(cacheDir(), bad);
    await writeDataset(system, bad);
    const options = {
      dataset: descriptor(),
      dataDir: data,
      cacheDir: cacheDir(),
      systemDirs: [system],
      download: false,
    };
    const message = (await errorOf(loadMnist(options))).message;
    const place = (folder: string) =>
      message.indexOf(join(folder, 'tiny', 'train-images-idx3-ubyte.gz'));
    expect(place(data)).toBeGreaterThan(-1);
    expect(place(cacheDir())).toBeGreaterThan(place(data));
    expect(place(system)).toBeGreaterThan(place(cacheDir()));
    // A good copy in the last place is found after the bad ones are passed over.
    await writeDataset(system);
    expect((await loadMnist(options)).train.count).toBe(20);
  });

  it('reads ACTLAB_DATA_DIR when no dataDir is given', async () => {
    await writeDataset(join(temp.path, 'env-data'));
    const saved = process.env.ACTLAB_DATA_DIR;
    process.env.ACTLAB_DATA_DIR = join(temp.path, 'env-data');
    try {
      const data = await loadMnist({ dataset: descriptor(), download: false, ...offline() });
      expect(data.train.count).toBe(20);
    } finally {
      if (saved === undefined) delete process.env.ACTLAB_DATA_DIR;
      else process.env.ACTLAB_DATA_DIR = saved;
    }
  });

  it('rejects label and image files of different lengths', async () => {
    const shortLabels = upstreamLike(tinyDataset(19)).labelsGz;
    const files = { ...bodies, 'train-labels-idx1-ubyte.gz': shortLabels };
    await writeDataset(join(temp.path, 'data'), files);
    const mismatched = descriptor();
    mismatched.files[1] = { ...(mismatched.files[1] as KnownFile), sha256: sha256(shortLabels) };
    const error = await errorOf(
      loadMnist({
        dataset: mismatched,
        dataDir: join(temp.path, 'data'),
        download: false,
        ...offline(),
      }),
    );
    expect(error.code).toBe('LABEL_COUNT_MISMATCH');
    expect(error.message).toContain('20 images but 19 labels');
  });

  it('says where it looked and how to set ACTLAB_DATA_DIR when nothing is local and downloads are off', async () => {
    const error = await errorOf(
      loadMnist({
        dataset: descriptor(),
        dataDir: join(temp.path, 'empty'),
        download: false,
        ...offline(),
      }),
    );
    expect(error.code).toBe('DATASET_NOT_FOUND');
    expect(error.message).toContain(join(temp.path, 'empty', 'tiny', 'train-images-idx3-ubyte.gz'));
    expect(error.message).toContain('ACTLAB_DATA_DIR');
  });

  it('refuses a local file whose checksum is wrong', async () => {
    const damaged = { ...bodies, 'train-labels-idx1-ubyte.gz': tinyDataset(21).labelsGz };
    await writeDataset(join(temp.path, 'data'), damaged);
    const error = await errorOf(
      loadMnist({
        dataset: descriptor(),
        dataDir: join(temp.path, 'data'),
        download: false,
        ...offline(),
      }),
    );
    expect(error.code).toBe('CHECKSUM_MISMATCH');
  });

  it('rejects an unknown dataset name, listing the known ones', async () => {
    const error = await errorOf(loadMnist({ dataset: 'cifar' as never }));
    expect(error.code).toBe('UNKNOWN_DATASET');
    expect(error.message).toContain('fashion-mnist');
  });
});

describe('loadMnist downloads (real HTTP server on 127.0.0.1)', () => {
  it('downloads, reports progress, caches, and does not download again', async () => {
    const server = await startLoopbackServer(serve('/a/'));
    try {
      const progress: number[] = [];
      const options = {
        dataset: descriptor([`${server.url}/a/`]),
        ...offline(),
        onProgress: (event: { receivedBytes: number }) => progress.push(event.receivedBytes),
      };
      const data = await loadMnist(options);
      expect(data.train.count).toBe(20);
      expect(progress.length).toBeGreaterThanOrEqual(4);
      expect((await readdir(join(cacheDir(), 'tiny'))).sort()).toEqual(Object.keys(bodies).sort());
      const requests = server.requests.length;
      await loadMnist(options);
      expect(server.requests.length).toBe(requests);
    } finally {
      await server.close();
    }
  });

  it('falls back to the second mirror after a 404 on the first', async () => {
    const server = await startLoopbackServer(serve('/second/'));
    try {
      const data = await loadMnist({
        dataset: descriptor([`${server.url}/first/`, `${server.url}/second/`]),
        ...offline(),
      });
      expect(data.test.count).toBe(10);
      expect(server.requests).toContain('/first/train-images-idx3-ubyte.gz');
      expect(server.requests).toContain('/second/train-images-idx3-ubyte.gz');
    } finally {
      await server.close();
    }
  });

  it('rejects a body whose sha256 is wrong and leaves nothing in the cache', async () => {
    const server = await startLoopbackServer(
      serve('/m/', {
        'train-labels-idx1-ubyte.gz': (_request, response) =>
          response.end(tinyDataset(21).labelsGz),
      }),
    );
    try {
      const error = await errorOf(
        loadMnist({ dataset: descriptor([`${server.url}/m/`]), ...offline() }),
      );
      expect(error.code).toBe('CHECKSUM_MISMATCH');
      expect(error.message).toContain('sha256 of the');
      const cached = await readdir(join(cacheDir(), 'tiny'));
      expect(cached).not.toContain('train-labels-idx1-ubyte.gz');
      expect(cached.filter((name) => name.endsWith('.part'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('survives a connection cut mid-body: error, no half file in the cache', async () => {
    const server = await startLoopbackServer(
      serve('/m/', {
        'train-images-idx3-ubyte.gz': (_request, response) => {
          response.setHeader('content-length', tiny.train.imagesGz.length);
          response.write(tiny.train.imagesGz.subarray(0, 40));
          setTimeout(() => response.socket?.destroy(), 20);
        },
      }),
    );
    try {
      const error = await errorOf(
        loadMnist({ dataset: descriptor([`${server.url}/m/`]), ...offline() }),
      );
      expect(error.code).toBe('DOWNLOAD_FAILED');
      const cached = await readdir(join(cacheDir(), 'tiny'));
      expect(cached).not.toContain('train-images-idx3-ubyte.gz');
      expect(cached.filter((name) => name.endsWith('.part'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('drops a mirror that stops sending and takes the file from the next one', async () => {
    const server = await startLoopbackServer({
      ...serve('/stalls/', {
        'train-images-idx3-ubyte.gz': (_request, response) => {
          response.setHeader('content-length', tiny.train.imagesGz.length);
          response.write(tiny.train.imagesGz.subarray(0, 10));
        },
      }),
      ...serve('/good/'),
    });
    try {
      const started = performance.now();
      const data = await loadMnist({
        dataset: descriptor([`${server.url}/stalls/`, `${server.url}/good/`]),
        stallTimeoutMs: 200,
        ...offline(),
      });
      expect(data.train.count).toBe(20);
      expect(server.requests).toContain('/good/train-images-idx3-ubyte.gz');
      expect(performance.now() - started).toBeLessThan(5000);
      const cached = await readdir(join(cacheDir(), 'tiny'));
      expect(cached.filter((name) => name.endsWith('.part'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('offline with nothing local: names the file, every place it looked, and ACTLAB_DATA_DIR', async () => {
    const server = await startLoopbackServer({});
    const closedPort = server.url;
    await server.close();
    const error = await errorOf(
      loadMnist({
        dataset: descriptor([`${closedPort}/a/`, `${closedPort}/b/`]),
        dataDir: join(temp.path, 'data'),
        ...offline(),
      }),
    );
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain('no verified copy of train-images-idx3-ubyte.gz');
    expect(error.message).toContain(join(temp.path, 'data', 'tiny', 'train-images-idx3-ubyte.gz'));
    expect(error.message).toContain(join(cacheDir(), 'tiny', 'train-images-idx3-ubyte.gz'));
    expect(error.message).toContain(`${closedPort}/a/train-images-idx3-ubyte.gz`);
    expect(error.message).toContain(`${closedPort}/b/train-images-idx3-ubyte.gz`);
    expect(error.message).toContain('set ACTLAB_DATA_DIR=<folder>');
  });
});

const dataDir = process.env.ACTLAB_DATA_DIR;

describe.skipIf(!dataDir)('real MNIST and Fashion-MNIST (ACTLAB_DATA_DIR)', () => {
  it('has the official counts, label distribution and first labels', async () => {
    const mnist = await loadMnist({ dataDir, download: false, ...offline() });
    expect([mnist.train.count, mnist.train.height, mnist.train.width]).toEqual([60000, 28, 28]);
    expect(mnist.test.count).toBe(10000);
    expect(labelCounts(mnist.train)).toEqual([
      5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]);
    expect(Array.from(mnist.train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
  });

  it('loads Fashion-MNIST the same way', async () => {
    const fashion = await loadMnist({
      dataset: 'fashion-mnist',
      dataDir,
      download: false,
      ...offline(),
    });
    expect([fashion.train.count, fashion.test.count]).toEqual([60000, 10000]);
    expect(labelCounts(fashion.train)).toEqual(new Array(10).fill(6000));
  });
});
