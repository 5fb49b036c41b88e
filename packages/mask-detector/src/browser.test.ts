import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  browserTestsEnabled,
  launchHeadlessChromium,
  startLoopbackServer,
} from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { boxIoU, type FaceBox } from './box-geometry.js';
import { shippedFaceDetectorPath } from './node-face-detector.js';
import { MaskDetector, shippedModelPath } from './node-mask-detector.js';

const runBrowserTests = browserTestsEnabled();
const dataDir = process.env.ACTLAB_DATA_DIR;
const packageDir = resolve(import.meta.dirname, '..');
const modules = resolve(packageDir, 'node_modules');
const scripts: Record<string, string> = {
  '/errors.js': resolve(packageDir, '../errors/dist/index.js'),
  '/seeded-random.js': resolve(packageDir, '../seeded-random/dist/index.js'),
  '/tfjs-core.js': join(modules, '@tensorflow/tfjs-core/dist/tf-core.fesm.js'),
  '/tfjs-layers.js': join(modules, '@tensorflow/tfjs-layers/dist/tf-layers.fesm.js'),
  '/tfjs-converter.js': join(modules, '@tensorflow/tfjs-converter/dist/tf-converter.fesm.js'),
  '/tfjs-backend-cpu.js': join(modules, '@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.fesm.js'),
};

const page = `<!doctype html><html><head>
<script type="importmap">{"imports": {"@actlab/errors": "/errors.js", "@actlab/seeded-random": "/seeded-random.js", "@tensorflow/tfjs-core": "/tfjs-core.js",
  "@tensorflow/tfjs-layers": "/tfjs-layers.js", "@tensorflow/tfjs-converter": "/tfjs-converter.js", "@tensorflow/tfjs-backend-cpu": "/tfjs-backend-cpu.js", "seedrandom": "/seedrandom.js"}}</script>
<script type="module">
  import * as tf from '@tensorflow/tfjs-core';
  import '@tensorflow/tfjs-backend-cpu';
  import { FaceDetector, MaskDetector } from '/dist/browser.js';
  window.classify = async (pixels, height, width) => {
    await tf.setBackend('cpu');
    const detector = await MaskDetector.load(location.origin + '/model/model.json');
    const face = tf.tensor3d(pixels, [height, width, 3], 'int32');
    const one = await detector.classify(face);
    const boxes = await detector.classifyFaces(face, [{ x: 0, y: 0, width, height }]);
    face.dispose();
    return { one, boxes, inputSize: detector.inputSize };
  };
  window.detect = async () => {
    await tf.setBackend('cpu');
    const faceDetector = await FaceDetector.load(location.origin + '/face/blazeface.json');
    const detector = await MaskDetector.load(location.origin + '/model/model.json', { faceDetector });
    const image = new Image();
    image.src = '/photo.png';
    await image.decode();
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [image.naturalWidth, image.naturalHeight];
    canvas.getContext('2d').drawImage(image, 0, 0);
    const faces = await detector.detect(canvas, { grids: [1] });
    detector.dispose();
    return faces;
  };
  window.ready = true;
</script></head><body>mask detector test</body></html>`;

describe.skipIf(!runBrowserTests)(
  'the browser build in headless Chromium (needs /usr/bin/chromium)',
  () => {
    it('has no Node-only import, loads the shipped models from URLs, classifies a crop and finds the faces on a canvas as Node does', async () => {
      const distFiles = (await readdir(join(packageDir, 'dist'))).filter((name) =>
        name.endsWith('.js'),
      );
      const browserChunks = distFiles.filter((name) => name !== 'index.js');
      for (const name of browserChunks) {
        const code = await readFile(join(packageDir, 'dist', name), 'utf8');
        expect(code, `${name} must not import Node modules`).not.toMatch(
          /from ['"](node:|sharp|fast-xml-parser)/,
        );
      }
      const routes: Record<
        string,
        (request: unknown, response: import('node:http').ServerResponse) => void
      > = {
        '/': (_request, response) => {
          response.setHeader('content-type', 'text/html');
          response.end(page);
        },
        '/seedrandom.js': (_request, response) => {
          // The cpu backend's random ops need seedrandom; classification never calls them.
          response.setHeader('content-type', 'text/javascript');
          response.end(
            'export function alea() { throw new Error("seedrandom is not served in this test"); }',
          );
        },
        '/model/model.json': async (_request, response) => {
          response.setHeader('content-type', 'application/json');
          response.end(await readFile(shippedModelPath));
        },
        '/model/weights.bin': async (_request, response) => {
          response.end(await readFile(join(shippedModelPath, '..', 'weights.bin')));
        },
      };
      for (const name of ['blazeface.json', 'blazeface.bin']) {
        routes[`/face/${name}`] = async (_request, response) => {
          response.end(await readFile(join(shippedFaceDetectorPath, '..', name)));
        };
      }
      // A real VOC photo when the data is there (lossless PNG, so both sides see the same pixels).
      const photoPng = dataDir
        ? await sharp(join(dataDir, 'face-mask-voc/images/maksssksksss29.jpg')).png().toBuffer()
        : await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
            .png()
            .toBuffer();
      routes['/photo.png'] = (_request, response) => {
        response.setHeader('content-type', 'image/png');
        response.end(photoPng);
      };
      for (const [path, file] of Object.entries(scripts)) {
        routes[path] = async (_request, response) => {
          response.setHeader('content-type', 'text/javascript');
          response.end(await readFile(file));
        };
      }
      for (const name of browserChunks) {
        routes[`/dist/${name}`] = async (_request, response) => {
          response.setHeader('content-type', 'text/javascript');
          response.end(await readFile(join(packageDir, 'dist', name)));
        };
      }
      // A deterministic stand-in crop: the same pixels go to Node and to the browser.
      const [height, width] = [40, 36];
      const pixels = Array.from(
        { length: height * width * 3 },
        (_, i) => (i * 37 + (i % 7) * 11) % 256,
      );
      await tf.setBackend('cpu');
      const node = await MaskDetector.load();
      const face = tf.tensor3d(pixels, [height, width, 3], 'int32');
      const expected = await node.classify(face);
      face.dispose();
      const expectedFaces = await node.detect(photoPng, { grids: [1] });
      node.dispose();

      const server = await startLoopbackServer(routes as never);
      const browser = await launchHeadlessChromium();
      try {
        const tab = await (await browser.newContext()).newPage();
        const errors: string[] = [];
        tab.on('pageerror', (error) => errors.push(error.message));
        await tab.goto(`${server.url}/`);
        await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        const got = (await tab.evaluate(
          ([p, h, w]) =>
            (window as never as { classify: (...a: unknown[]) => Promise<unknown> }).classify(
              p,
              h,
              w,
            ),
          [pixels, height, width] as const,
        )) as { one: typeof expected; boxes: (typeof expected)[]; inputSize: number };
        expect(errors).toEqual([]);
        expect(got.one.label).toBe(expected.label);
        expect(got.one.probability).toBeCloseTo(expected.probability, 4);
        expect(got.boxes).toHaveLength(1);
        expect(got.inputSize).toBeGreaterThan(0);
        expect(server.requests).toContain('/model/weights.bin');
        const faces = (await tab.evaluate(() =>
          (window as never as { detect: () => Promise<unknown> }).detect(),
        )) as typeof expectedFaces;
        expect(errors).toEqual([]);
        expect(faces.map((f) => f.label)).toEqual(expectedFaces.map((f) => f.label));
        faces.forEach((f, i) => {
          expect(boxIoU(f.box, expectedFaces[i]?.box as FaceBox)).toBeGreaterThan(0.95);
          expect(f.score).toBeCloseTo(expectedFaces[i]?.score as number, 2);
        });
        if (dataDir) expect(faces.length).toBeGreaterThan(0);
      } finally {
        await browser.close();
        await server.close();
      }
    }, 60_000);
  },
);
