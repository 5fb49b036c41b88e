import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import {
  browserTestsEnabled,
  launchHeadlessChromium,
  startLoopbackServer,
} from '@actlab/test-utils';
import { describe, expect, it } from 'vitest';
import { tarGz, tinyBinaryRelease } from './test-support/make-cifar10.js';

const packageDir = resolve(import.meta.dirname, '..');
const modernTarDist = join(
  dirname(createRequire(import.meta.url).resolve('modern-tar/package.json')),
  'dist',
);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const page = `<!doctype html><html><head>
<script type="importmap">{"imports": {"@actlab/errors": "/errors.js", "@actlab/seeded-random": "/seeded-random.js",
  "modern-tar": "/modern-tar/web/index.js"}}</script>
<script type="module">
  import { loadCifar10 } from '/dist/cifar10-browser.js';
  window.load = async (archive) => {
    try {
      const data = await loadCifar10({ baseUrl: location.origin + '/data/', archive, cache: false });
      return { train: data.train.count, test: Array.from(data.test.labels), channels: data.test.channels };
    } catch (error) {
      return { error: error.code ?? String(error) };
    }
  };
  window.ready = true;
</script></head><body>cifar test</body></html>`;

function sendFile(path: string, type = 'text/javascript') {
  return async (_request: unknown, response: ServerResponse) => {
    response.setHeader('content-type', type);
    response.end(await readFile(path));
  };
}

describe.skipIf(!browserTestsEnabled())('the CIFAR-10 browser build in headless Chromium', () => {
  it('fetches a binary-release .tar.gz, verifies it and parses the batches; refuses a wrong sha256', async () => {
    // Runs dist/ as published; browser.test.ts checks that dist is not older than src.
    const archive = await tarGz(tinyBinaryRelease());
    const routes: Record<string, (request: unknown, response: ServerResponse) => unknown> = {
      '/': (_request, response) => {
        response.setHeader('content-type', 'text/html');
        response.end(page);
      },
      '/errors.js': sendFile(resolve(packageDir, '../errors/dist/index.js')),
      '/seeded-random.js': sendFile(resolve(packageDir, '../seeded-random/dist/index.js')),
      '/data/cifar-10/tiny.tar.gz': (_request, response) => response.end(archive),
    };
    for (const file of await readdir(join(packageDir, 'dist'))) {
      if (file.endsWith('.js')) routes[`/dist/${file}`] = sendFile(join(packageDir, 'dist', file));
    }
    for (const file of await readdir(modernTarDist, { recursive: true })) {
      if (file.endsWith('.js')) routes[`/modern-tar/${file}`] = sendFile(join(modernTarDist, file));
    }
    const server = await startLoopbackServer(routes as never);
    const browser = await launchHeadlessChromium();
    try {
      const tab = await (await browser.newContext()).newPage();
      const errors: string[] = [];
      tab.on('pageerror', (error) => errors.push(error.message));
      await tab.goto(`${server.url}/`);
      await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
      const load = (sum: string) =>
        tab.evaluate(
          (archive) =>
            (window as never as { load: (a: unknown) => Promise<unknown> }).load(archive),
          { name: 'tiny.tar.gz', bytes: archive.length, sha256: sum, unpackedSha256: null },
        );
      expect(await load(sha256(archive))).toEqual({ train: 15, test: [0, 1], channels: 3 });
      expect(await load('0'.repeat(64))).toEqual({ error: 'CHECKSUM_MISMATCH' });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 60_000);
});
