import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  browserTestsEnabled,
  launchHeadlessChromium,
  startLoopbackServer,
} from '@actlab/test-utils';
import { describe, expect, it } from 'vitest';
import { tinyDataset } from './test-support/make-idx.js';

const runBrowserTests = browserTestsEnabled();
const packageDir = resolve(import.meta.dirname, '..');
const errorsDist = resolve(packageDir, '../errors/dist/index.js');
const seededRandomDist = resolve(packageDir, '../seeded-random/dist/index.js');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const train = tinyDataset(12);
const test = tinyDataset(6);
const files: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte.gz': train.imagesGz,
  'train-labels-idx1-ubyte.gz': train.labelsGz,
  't10k-images-idx3-ubyte.gz': test.imagesGz,
  't10k-labels-idx1-ubyte.gz': test.labelsGz,
};
const roles = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];
const descriptor = (corrupt = false, name = 'tiny', withUnpackedSums = true) => ({
  name,
  mirrors: [],
  classNames: [],
  files: Object.entries(files).map(([name, bytes], i) => ({
    role: roles[i],
    name,
    bytes: bytes.length,
    sha256: corrupt && i === 1 ? '0'.repeat(64) : sha256(bytes),
    unpackedSha256: withUnpackedSums ? sha256(gunzipSync(bytes)) : null,
  })),
});

const page = `<!doctype html><html><head>
<script type="importmap">{"imports": {"@actlab/errors": "/errors.js", "@actlab/seeded-random": "/seeded-random.js"}}</script>
<script type="module">
  import { loadMnist } from '/dist/browser.js';
  window.load = async (dataset, stallTimeoutMs) => {
    try {
      let progressEvents = 0;
      const data = await loadMnist({ baseUrl: '/data/', dataset, stallTimeoutMs, onProgress: () => progressEvents++ });
      return { train: data.train.count, test: data.test.count, labels: Array.from(data.train.labels), size: [data.train.height, data.train.width], downloaded: progressEvents > 0 };
    } catch (error) {
      return { error: error.code ?? String(error) };
    }
  };
  window.ready = true;
</script></head><body>loader test</body></html>`;

describe.skipIf(!runBrowserTests)(
  'the browser build in headless Chromium (needs /usr/bin/chromium)',
  () => {
    it('loads a small IDX pair from a relative baseUrl, verifies it, serves the second page load from the Cache API, refuses bad bytes and stalled downloads, and accepts files the server sent with Content-Encoding: gzip by their unpacked sha256', async () => {
      // The page runs the built files, as published: make sure they are not older than the source.
      const built = existsSync(join(packageDir, 'dist', 'browser.js'))
        ? statSync(join(packageDir, 'dist', 'browser.js')).mtimeMs
        : 0;
      const newestSource = Math.max(
        ...(await readdir(join(packageDir, 'src'), { recursive: true }))
          .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
          .map((name) => statSync(join(packageDir, 'src', name)).mtimeMs),
      );
      expect(
        built,
        'dist/browser.js is missing or older than src/: run corepack pnpm build',
      ).toBeGreaterThanOrEqual(newestSource);
      const distFiles = await readdir(join(packageDir, 'dist'));
      const routes: Record<
        string,
        (request: unknown, response: import('node:http').ServerResponse) => void
      > = {
        '/': (_request, response) => {
          response.setHeader('content-type', 'text/html');
          response.end(page);
        },
        '/errors.js': async (_request, response) => {
          response.setHeader('content-type', 'text/javascript');
          response.end(await readFile(errorsDist));
        },
        '/seeded-random.js': async (_request, response) => {
          response.setHeader('content-type', 'text/javascript');
          response.end(await readFile(seededRandomDist));
        },
      };
      for (const file of distFiles.filter((name) => name.endsWith('.js'))) {
        routes[`/dist/${file}`] = async (_request, response) => {
          response.setHeader('content-type', 'text/javascript');
          response.end(await readFile(join(packageDir, 'dist', file)));
        };
      }
      for (const [name, bytes] of Object.entries(files)) {
        routes[`/data/tiny/${name}`] = (_request, response) => {
          response.setHeader('content-length', bytes.length);
          response.end(bytes);
        };
        // The .gz file sent with Content-Encoding: gzip, as vite preview does: the page gets it unpacked.
        routes[`/data/encoded/${name}`] = (_request, response) => {
          response.setHeader('content-type', 'application/gzip');
          response.setHeader('content-encoding', 'gzip');
          response.end(bytes);
        };
        // Sends a few bytes, then nothing: the loader must give up instead of hanging.
        routes[`/data/stalls/${name}`] = (_request, response) => {
          response.setHeader('content-length', bytes.length);
          response.write(bytes.subarray(0, 8));
        };
      }
      const server = await startLoopbackServer(routes as never);
      const browser = await launchHeadlessChromium();
      try {
        const context = await browser.newContext();
        const tab = await context.newPage();
        const errors: string[] = [];
        tab.on('pageerror', (error) => errors.push(error.message));
        await tab.goto(`${server.url}/`);
        await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        const first = await tab.evaluate(
          (dataset) =>
            (window as never as { load: (d: unknown) => Promise<unknown> }).load(dataset),
          descriptor(),
        );
        expect(first).toEqual({
          train: 12,
          test: 6,
          labels: train.labels,
          size: [4, 4],
          downloaded: true,
        });
        const dataRequests = () =>
          server.requests.filter((path) => path.startsWith('/data/')).length;
        expect(dataRequests()).toBe(4);

        await tab.reload();
        await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        const second = await tab.evaluate(
          (dataset) =>
            (window as never as { load: (d: unknown) => Promise<unknown> }).load(dataset),
          descriptor(),
        );
        expect(second).toEqual({ ...(first as object), downloaded: false });
        expect(dataRequests()).toBe(4);

        const corrupt = await tab.evaluate(async (dataset) => {
          await caches.delete('actlab-datasets');
          return (window as never as { load: (d: unknown) => Promise<unknown> }).load(dataset);
        }, descriptor(true));
        expect(corrupt).toEqual({ error: 'CHECKSUM_MISMATCH' });
        const cachedNames = await tab.evaluate(async () => {
          const cache = await caches.open('actlab-datasets');
          return (await cache.keys()).map((request) => request.url.split('/').pop());
        });
        expect(cachedNames).not.toContain('train-labels-idx1-ubyte.gz');
        expect(cachedNames).toContain('train-images-idx3-ubyte.gz');

        const stalled = await tab.evaluate(
          ([dataset, stallTimeoutMs]) =>
            (window as never as { load: (d: unknown, t: number) => Promise<unknown> }).load(
              dataset,
              stallTimeoutMs as number,
            ),
          [descriptor(false, 'stalls'), 300] as const,
        );
        expect(stalled).toEqual({ error: 'DOWNLOAD_FAILED' });

        const load = (dataset: unknown) =>
          tab.evaluate(
            (d) => (window as never as { load: (d: unknown) => Promise<unknown> }).load(d),
            dataset,
          );
        const unpackedOnTheWay = await load(descriptor(false, 'encoded'));
        expect(unpackedOnTheWay).toEqual({ ...(first as object), downloaded: true });
        await tab.evaluate(() => caches.delete('actlab-datasets'));
        expect(await load(descriptor(false, 'encoded', false))).toEqual({
          error: 'CHECKSUM_MISMATCH',
        });
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
        await server.close();
      }
    }, 60_000);
  },
);
