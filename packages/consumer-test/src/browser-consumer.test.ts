import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { browserTestsEnabled, launchHeadlessChromium, makeTempDir } from '@actlab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installConsumerProject,
  type Published,
  packPublished,
  run,
} from './published-packages.js';

const viteRange = '^8.4.1';
const dataDir = process.env.ACTLAB_DATA_DIR;
const mnistFiles = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];
const faceCrop = dataDir ? join(dataDir, 'face-mask', 'with_mask', '0-with-mask.jpg') : '';
const haveData =
  Boolean(dataDir) &&
  mnistFiles.every((file) => existsSync(join(dataDir as string, 'mnist', file))) &&
  existsSync(faceCrop);
if (!haveData) {
  console.warn(
    'Skipping the Vite consumer test: it needs ACTLAB_DATA_DIR with mnist/*.gz and face-mask/.',
  );
}
// The backend's quick start selects the backend, so it runs first; the rest use what it chose.
const order = [
  '@actlab/backend',
  '@actlab/errors',
  '@actlab/seeded-random',
  '@actlab/activations',
  '@actlab/gradient-probe',
  '@actlab/mnist-loader',
  '@actlab/adversarial-generator',
  '@actlab/mask-detector',
];
const slug = (name: string) => name.replace('@actlab/', '');

// Sums what the bundle holds of our packages (rendered, after tree-shaking, before minifying).
const viteConfig = `import { writeFileSync } from 'node:fs';
export default {
  build: {
    chunkSizeWarningLimit: 5000,
    rollupOptions: { input: { main: 'index.html', broken: 'broken-wasm.html' } },
  },
  plugins: [{
    name: 'actlab-size',
    generateBundle(_options, bundle) {
      const sizes = {};
      let total = 0;
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        total += chunk.code.length;
        for (const [id, module] of Object.entries(chunk.modules)) {
          const name = /node_modules\\/(@actlab\\/[^/]+)\\//.exec(id)?.[1];
          if (name) sizes[name] = (sizes[name] ?? 0) + module.renderedLength;
        }
      }
      writeFileSync('bundle-sizes.json', JSON.stringify({ total, sizes }));
    },
  }],
};
`;

const mainJs = `import * as maskRoot from '@actlab/mask-detector';
import * as mnistRoot from '@actlab/mnist-loader';

// The root entries too, in a browser bundle: the browser condition picks their browser builds.
console.log('roots', typeof mnistRoot.loadMnist, typeof maskRoot.MaskDetector);
const done = [];
try {
${order.map((name) => `  await import('./quick-starts/${slug(name)}.js');\n  done.push('${name}');`).join('\n')}
  window.quickStarts = { done };
} catch (error) {
  console.error(error);
  window.quickStarts = { done, failed: String(error?.stack ?? error) };
}
`;

// A page that forgets wasmPaths: selectBackend must say why wasm failed and leave tfjs on cpu.
const brokenWasmJs = `import { selectBackend } from '@actlab/backend';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');
const made = tf.tensor1d([1, 2, 3]);
try {
  await selectBackend('wasm');
  window.outcome = { error: null };
} catch (error) {
  const sum = tf.add(made, 1);
  window.outcome = { name: error.name, code: error.code, message: error.message, backend: tf.getBackend(), sum: Array.from(await sum.data()) };
}
`;

let project: { path: string; remove: () => Promise<void> };
let app: string;
let packages: Published[] = [];

describe.skipIf(!browserTestsEnabled() || !haveData)(
  'a Vite app built from the packed tarballs, in headless Chromium (needs /usr/bin/chromium and ACTLAB_DATA_DIR)',
  () => {
    beforeAll(async () => {
      project = await makeTempDir('actlab-vite-consumer-');
      const tarballs = join(project.path, 'tarballs');
      await mkdir(tarballs);
      packages = await packPublished(tarballs, (pkg) =>
        pkg.examples.includes('browser-quick-start.js'),
      );
      app = join(project.path, 'app');
      await mkdir(join(app, 'src', 'quick-starts'), { recursive: true });
      await mkdir(join(app, 'public', 'datasets', 'mnist'), { recursive: true });
      // @actlab/backend's optional native kernels for this machine, packed too so that npm takes
      // them from here instead of asking the registry for an unpublished version. Pages never load them.
      const nativeKernels = await packPublished(
        tarballs,
        (pkg) => pkg.name === `@actlab/backend-${process.platform}-${process.arch}-gnu`,
      );
      await installConsumerProject(app, [
        ...[...packages, ...nativeKernels].map((pkg) => pkg.tarball),
        `vite@${viteRange}`,
      ]);
      for (const pkg of packages) {
        await copyFile(
          join(pkg.folder, 'examples', 'browser-quick-start.js'),
          join(app, 'src', 'quick-starts', `${slug(pkg.name)}.js`),
        );
      }
      await copyFile(faceCrop, join(app, 'src', 'quick-starts', 'face.jpg'));
      for (const file of mnistFiles) {
        await copyFile(
          join(dataDir as string, 'mnist', file),
          join(app, 'public', 'datasets', 'mnist', file),
        );
      }
      await writeFile(join(app, 'vite.config.js'), viteConfig);
      await writeFile(join(app, 'src', 'main.js'), mainJs);
      await writeFile(join(app, 'src', 'broken-wasm.js'), brokenWasmJs);
      await writeFile(
        join(app, 'broken-wasm.html'),
        '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script type="module" src="/src/broken-wasm.js"></script></body></html>',
      );
      await writeFile(
        join(app, 'index.html'),
        '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script type="module" src="/src/main.js"></script></body></html>',
      );
    });

    afterAll(async () => {
      await project?.remove();
    });

    it('every package has a browser quick start, and its README shows it as written', async () => {
      expect(packages.map((pkg) => pkg.name).sort()).toEqual([...order].sort());
      for (const pkg of packages) {
        const readme = await readFile(join(pkg.folder, 'README.md'), 'utf8');
        const example = (
          await readFile(join(pkg.folder, 'examples', 'browser-quick-start.js'), 'utf8')
        ).trim();
        expect(readme, `${pkg.name}: README lacks an "In the browser" section`).toMatch(
          /^## In the browser$/m,
        );
        expect(
          readme,
          `${pkg.name}: README browser quick start differs from examples/browser-quick-start.js`,
        ).toContain(example);
      }
    });

    it('installs no Node-only dependency (sharp, fast-xml-parser) for a browser app', async () => {
      const installed = await readdir(join(app, 'node_modules'));
      expect(installed).not.toContain('sharp');
      expect(installed).not.toContain('@img');
      expect(installed).not.toContain('fast-xml-parser');
      const { stdout } = await run('du', ['-sk', join(app, 'node_modules')]);
      console.log(
        `browser app node_modules: ${(Number.parseInt(stdout, 10) / 1024).toFixed(1)} MiB`,
      );
    });

    it('builds with vite without warnings, runs every README browser quick start from vite preview with no console error, and names the true cause when a page forgets wasmPaths', async () => {
      const build = await run(join(app, 'node_modules', '.bin', 'vite'), ['build'], {
        cwd: app,
        maxBuffer: 64 * 1024 * 1024,
      });
      const buildOutput = `${build.stdout}\n${build.stderr}`;
      expect(buildOutput).not.toMatch(/externalized for browser compatibility|\[warn|warning/i);
      const { total, sizes } = JSON.parse(
        await readFile(join(app, 'bundle-sizes.json'), 'utf8'),
      ) as { total: number; sizes: Record<string, number> };
      const ours = Object.values(sizes).reduce((sum, bytes) => sum + bytes, 0);
      const gzipped = (
        await Promise.all(
          (
            await readdir(join(app, 'dist', 'assets'))
          )
            .filter((file) => file.endsWith('.js'))
            .map(
              async (file) => gzipSync(await readFile(join(app, 'dist', 'assets', file))).length,
            ),
        )
      ).reduce((sum, bytes) => sum + bytes, 0);
      console.log(
        `bundle: ${(total / 1024).toFixed(0)} KiB of JavaScript (${(gzipped / 1024).toFixed(0)} KiB gzip), of which our packages ${(ours / 1024).toFixed(1)} KiB before minifying: ${Object.entries(
          sizes,
        )
          .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)}`)
          .join(', ')}`,
      );
      const weights = (await readdir(join(app, 'dist', 'assets'))).filter((file) =>
        /\.(bin|wasm)$/.test(file),
      );
      expect(weights.length).toBeGreaterThanOrEqual(5);
      expect(
        (await stat(join(app, 'dist', 'datasets', 'mnist', mnistFiles[0] as string))).size,
      ).toBeGreaterThan(0);

      const vite = (await import(
        pathToFileURL(join(app, 'node_modules', 'vite', 'dist', 'node', 'index.js')).href
      )) as {
        preview: (config: object) => Promise<{
          resolvedUrls: { local: string[] } | null;
          close: () => Promise<void>;
        }>;
      };
      const server = await vite.preview({
        root: app,
        configFile: join(app, 'vite.config.js'),
        logLevel: 'error',
        preview: { host: '127.0.0.1', port: 0, strictPort: true },
      });
      const browser = await launchHeadlessChromium();
      try {
        const url = server.resolvedUrls?.local[0] as string;
        const encoding = await fetch(new URL('datasets/mnist/t10k-labels-idx1-ubyte.gz', url), {
          headers: { 'accept-encoding': 'gzip' },
        });
        // What the loader must cope with: vite preview sends the .gz files gzip-encoded.
        console.log(
          `vite preview content-encoding of .gz: ${encoding.headers.get('content-encoding')}`,
        );
        await encoding.arrayBuffer();
        const tab = await browser.newPage();
        const problems: string[] = [];
        const lines: string[] = [];
        tab.on('console', (message) => {
          if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
          else lines.push(message.text());
        });
        tab.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
        tab.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
        tab.on('response', (response) => {
          if (response.status() >= 400)
            problems.push(`HTTP ${response.status()}: ${response.url()}`);
        });
        await tab.goto(url);
        await tab.waitForFunction(() => 'quickStarts' in window, null, { timeout: 480_000 });
        const outcome = (await tab.evaluate(
          () => (window as never as { quickStarts: unknown }).quickStarts,
        )) as {
          done: string[];
          failed?: string;
        };
        console.log(lines.join('\n'));
        expect(outcome.failed).toBeUndefined();
        expect(outcome.done).toEqual(order);
        expect(problems).toEqual([]);
        expect(lines).toContain('roots function function');
        expect(lines.some((line) => /wasm was requested with SIMD/.test(line))).toBe(true);
        expect(lines.some((line) => /^MNIST 60000 10000/.test(line))).toBe(true);
        expect(lines.some((line) => /^FGSM (true|false) [\d.]+ PGD true/.test(line))).toBe(true);
        expect(lines.some((line) => /^probe \d+ \S+ \S+ \S+$/.test(line))).toBe(true);
        expect(lines.some((line) => /^mask /.test(line))).toBe(true);

        const broken = await browser.newPage();
        const warnings: string[] = [];
        broken.on('console', (message) => {
          if (message.type() === 'warning') warnings.push(message.text());
        });
        await broken.goto(new URL('broken-wasm.html', url).href);
        await broken.waitForFunction(() => 'outcome' in window, null, { timeout: 120_000 });
        const failure = (await broken.evaluate(
          () => (window as never as { outcome: unknown }).outcome,
        )) as { name: string; code: string; message: string; backend: string; sum: number[] };
        console.log(`selectBackend('wasm') without wasmPaths: ${failure.message}`);
        // The production bundle is minified: the class name would be mangled, the literal stays.
        expect(failure.name).toBe('BackendError');
        expect(failure.code).toBe('BACKEND_UNAVAILABLE');
        expect(failure.message).toMatch(
          /GET \S+\/tfjs-backend-wasm-simd\.wasm answered (HTTP 404|text\/html)/,
        );
        expect(failure.message).not.toMatch(/Install/);
        expect(failure.backend).toBe('cpu');
        expect(failure.sum).toEqual([2, 3, 4]);
        expect(warnings.some((line) => /1 tensor\(s\) exist/.test(line))).toBe(true);
      } finally {
        await browser.close();
        await server.close();
      }
    });
  },
);
