import { crc32 } from 'node:zlib';
import { damagedBytes, fuzzParameters, fuzzTimeout, typedOutcome } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMaskModel } from './build-mask-model.js';
import { MaskDetectorError } from './mask-detector-error.js';
import { FaceDetector } from './node-face-detector.js';
import { decodeImage, MaskDetector } from './node-mask-detector.js';

let png: Uint8Array;
let jpeg: Uint8Array;
let detector: MaskDetector;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const image = sharp({
    create: { width: 24, height: 16, channels: 3, background: { r: 200, g: 120, b: 40 } },
  });
  png = new Uint8Array(await image.clone().png().toBuffer());
  jpeg = new Uint8Array(await image.clone().jpeg().toBuffer());
  detector = MaskDetector.fromModel(buildMaskModel({ size: 16, filters: [2, 2, 2] }), {
    faceDetector: await FaceDetector.load(),
  });
  // The first inference is several seconds slower (kernel set-up): keep it out of the time limit.
  await detector.detect(png, { grids: [1] });
});

afterAll(() => {
  detector.model.optimizer?.dispose();
  detector.dispose();
});

const images = () => fc.oneof(damagedBytes(png), damagedBytes(jpeg));

/** `png` with its IHDR declaring `width` × `height` (CRC recomputed, pixel data unchanged). */
function pngDeclaring(width: number, height: number): Uint8Array {
  const copy = Uint8Array.from(png);
  const view = new DataView(copy.buffer);
  view.setUint32(16, width, false);
  view.setUint32(20, height, false);
  view.setUint32(29, crc32(copy.subarray(12, 29)), false);
  return copy;
}

describe('decodeImage on a header declaring a huge image', () => {
  // Found by the long fuzz run: sharp's default limit (268 MP) let this 200-byte PNG run for
  // seconds per call before failing.
  it('refuses a PNG declaring 15 335 448 × 16 pixels at once with IMAGE_UNREADABLE', async () => {
    const started = performance.now();
    await expect(decodeImage(pngDeclaring(15_335_448, 16))).rejects.toMatchObject({
      code: 'IMAGE_UNREADABLE',
      message: expect.stringMatching(/at most 67108864 pixels/),
    });
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('decodeImage and predict on image bytes under fuzzing', () => {
  it(
    'ends damaged PNG and JPEG bytes in an RGB tensor or IMAGE_UNREADABLE',
    async () => {
      await fc.assert(
        fc.asyncProperty(images(), async (bytes) => {
          const outcome = await typedOutcome(() => decodeImage(bytes), MaskDetectorError, {
            codes: ['IMAGE_UNREADABLE'],
            maxMilliseconds: 2000,
          });
          if (outcome.ok) {
            expect(outcome.value.rank).toBe(3);
            expect(outcome.value.shape[2]).toBe(3);
            outcome.value.dispose();
          }
        }),
        fuzzParameters(300),
      );
    },
    fuzzTimeout(30_000),
  );

  it(
    'ends classify on damaged image bytes in a prediction or a MaskDetectorError, leaking no tensor',
    async () => {
      await fc.assert(
        fc.asyncProperty(images(), async (bytes) => {
          const before = tf.memory().numTensors;
          const outcome = await typedOutcome(() => detector.classify(bytes), MaskDetectorError, {
            codes: ['IMAGE_UNREADABLE', 'BAD_IMAGE_TENSOR'],
            maxMilliseconds: 2000,
          });
          if (outcome.ok) expect(detector.classNames).toContain(outcome.value.label);
          expect(tf.memory().numTensors).toBe(before);
        }),
        fuzzParameters(150, 5000),
      );
    },
    fuzzTimeout(30_000),
  );

  it(
    'ends detect on damaged image bytes in a list of faces or a MaskDetectorError',
    async () => {
      await fc.assert(
        fc.asyncProperty(images(), async (bytes) => {
          const outcome = await typedOutcome(
            () => detector.detect(bytes, { grids: [1] }),
            MaskDetectorError,
            { codes: ['IMAGE_UNREADABLE', 'BAD_IMAGE_TENSOR'], maxMilliseconds: 10_000 },
          );
          if (outcome.ok) expect(Array.isArray(outcome.value)).toBe(true);
        }),
        fuzzParameters(8, 300),
      );
    },
    fuzzTimeout(30_000),
  );
});
