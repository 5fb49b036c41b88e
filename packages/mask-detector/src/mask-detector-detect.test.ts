import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selectBackend } from '@actlab/backend';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxIoU } from './box-geometry.js';
import { buildMaskModel } from './build-mask-model.js';
import { labelIndex } from './labels.js';
import { MaskDetector as BrowserMaskDetector } from './mask-detector.js';
import { decodeImage, MaskDetector } from './node-mask-detector.js';
import { parseVocAnnotation } from './parse-voc.js';

const dataDir = process.env.ACTLAB_DATA_DIR;
const vocDir = dataDir ? join(dataDir, 'face-mask-voc') : '';
let detector: MaskDetector;

beforeAll(async () => {
  await selectBackend('wasm');
  detector = await MaskDetector.load();
});

afterAll(() => {
  detector.dispose();
});

describe('MaskDetector.detect', () => {
  it.skipIf(!dataDir)(
    'finds and labels the annotated faces of a real VOC photo given as a file path, bytes or a tensor',
    async () => {
      const xml = await readFile(join(vocDir, 'annotations', 'maksssksksss40.xml'), 'utf8');
      const annotated = parseVocAnnotation(xml).objects;
      const path = join(vocDir, 'images', 'maksssksksss40.jpg');
      const before = tf.memory().numTensors;
      const faces = await detector.detect(path);
      // The shipped face detector was loaded on first use: its weights stay until dispose().
      const afterFirst = tf.memory().numTensors;
      expect(faces).toHaveLength(annotated.length);
      let labelledRight = 0;
      for (const object of annotated) {
        const box = {
          x: object.xmin,
          y: object.ymin,
          width: object.xmax - object.xmin,
          height: object.ymax - object.ymin,
        };
        const face = faces.find((f) => boxIoU(f.box, box) >= 0.5);
        expect(face, JSON.stringify(object)).toBeDefined();
        expect(face?.score).toBeGreaterThanOrEqual(0.5);
        expect(face?.confidence).toBeGreaterThanOrEqual(0.5);
        expect(face?.probabilities[face.label]).toBe(face?.confidence);
        if (face?.label === ['with_mask', 'no_mask'][labelIndex(object.name, 2)]) labelledRight++;
      }
      // The shipped classifier is right on 89 % of validation faces; here on 3 of the 4.
      expect(labelledRight).toBeGreaterThanOrEqual(annotated.length - 1);
      expect(await detector.detect(await readFile(path))).toEqual(faces);
      const tensor = await decodeImage(path);
      expect(await detector.detect(tensor)).toEqual(faces);
      tensor.dispose();
      expect(tf.memory().numTensors).toBe(afterFirst);
      expect(afterFirst).toBeGreaterThan(before);
    },
    60_000,
  );

  it('throws typed errors for an unreadable file, a bad image and a browser detector given no face detector', async () => {
    await expect(detector.detect('/no/such/photo.jpg')).rejects.toMatchObject({
      code: 'IMAGE_UNREADABLE',
    });
    await expect(detector.detect(Uint8Array.of(1, 2, 3))).rejects.toMatchObject({
      code: 'IMAGE_UNREADABLE',
    });
    const flat = tf.zeros([8, 8]);
    await expect(detector.detect(flat as never)).rejects.toMatchObject({
      code: 'BAD_IMAGE_TENSOR',
    });
    await expect(detector.detect({ width: 2 } as never)).rejects.toMatchObject({
      code: 'BAD_IMAGE_TENSOR',
    });
    const browser = BrowserMaskDetector.fromModel(buildMaskModel({ size: 16, filters: [2, 2, 2] }));
    const photo = tf.zeros([20, 20, 3]) as tf.Tensor3D;
    await expect(browser.detect(photo)).rejects.toMatchObject({ code: 'NO_FACE_DETECTOR' });
    tf.dispose([flat, photo]);
    browser.dispose();
  });
});
