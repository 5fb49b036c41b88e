import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selectBackend } from '@actlab/backend';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxIoU, type FaceBox } from './box-geometry.js';
import { FaceDetector, shippedFaceDetectorPath } from './node-face-detector.js';
import { decodeImage } from './node-mask-detector.js';
import { parseVocAnnotation } from './parse-voc.js';

const dataDir = process.env.ACTLAB_DATA_DIR;
const vocDir = dataDir ? join(dataDir, 'face-mask-voc') : '';
let detector: FaceDetector;

beforeAll(async () => {
  // The cpu backend takes ~20 s per photo for BlazeFace; wasm well under 1 s.
  await selectBackend('wasm');
  detector = await FaceDetector.load();
});

afterAll(() => {
  detector.dispose();
});

async function annotatedFaces(id: number): Promise<FaceBox[]> {
  const xml = await readFile(join(vocDir, 'annotations', `maksssksksss${id}.xml`), 'utf8');
  return parseVocAnnotation(xml).objects.map((o) => ({
    x: o.xmin,
    y: o.ymin,
    width: o.xmax - o.xmin,
    height: o.ymax - o.ymin,
  }));
}

describe('FaceDetector', () => {
  it('loads the shipped BlazeFace weights, with their licence and attribution beside them', () => {
    expect(detector.inputSize).toBe(256);
    const folder = join(shippedFaceDetectorPath, '..');
    for (const name of [
      'blazeface.bin',
      'LICENSE-Apache-2.0.txt',
      'LICENSE-human-MIT.txt',
      'NOTICE.md',
    ]) {
      expect(existsSync(join(folder, name)), name).toBe(true);
    }
  });

  it.skipIf(!dataDir)(
    'finds every annotated face of two real VOC photos at IoU ≥ 0.5, and nothing else',
    async () => {
      for (const id of [29, 40]) {
        const photo = await decodeImage(join(vocDir, 'images', `maksssksksss${id}.jpg`));
        const before = tf.memory().numTensors;
        const found = await detector.detect(photo);
        expect(tf.memory().numTensors).toBe(before);
        const faces = await annotatedFaces(id);
        for (const face of faces) {
          const best = Math.max(...found.map((f) => boxIoU(f.box, face)));
          expect(best, `photo ${id}, face ${JSON.stringify(face)}`).toBeGreaterThanOrEqual(0.5);
        }
        expect(found).toHaveLength(faces.length);
        for (const { score } of found) expect(score).toBeGreaterThanOrEqual(0.5);
        photo.dispose();
      }
    },
    60_000,
  );

  it.skipIf(!dataDir)(
    'maps boxes back to photo pixels: the photo enlarged and shifted on a larger canvas gives the same faces, enlarged and shifted',
    async () => {
      const photo = await decodeImage(join(vocDir, 'images', 'maksssksksss5.jpg'));
      const found = await detector.detect(photo, { grids: [1] });
      // 1.5× larger, 40 px right and 30 px down on a black canvas.
      const moved = tf.tidy(() => {
        const [height, width] = photo.shape;
        const larger = tf.image.resizeBilinear(photo, [height * 1.5, width * 1.5]);
        return tf.pad(larger, [
          [30, 20],
          [40, 10],
          [0, 0],
        ]) as tf.Tensor3D;
      });
      const foundMoved = await detector.detect(moved, { grids: [1] });
      expect(foundMoved).toHaveLength(found.length);
      for (const { box } of found) {
        const expected = {
          x: box.x * 1.5 + 40,
          y: box.y * 1.5 + 30,
          width: box.width * 1.5,
          height: box.height * 1.5,
        };
        const best = Math.max(...foundMoved.map((f) => boxIoU(f.box, expected)));
        // Not 1: the detector sees the enlarged photo resampled, so its boxes move a little.
        expect(best, JSON.stringify(box)).toBeGreaterThan(0.75);
      }
      tf.dispose([photo, moved]);
    },
    60_000,
  );

  it.skipIf(!dataDir)(
    'gives each candidate six keypoints on its face, and the same faces at a higher minScore as filtering a lower one',
    async () => {
      const photo = await decodeImage(join(vocDir, 'images', 'maksssksksss29.jpg'));
      const candidates = await detector.detectCandidates(photo, { minScore: 0.5 });
      expect(candidates.length).toBeGreaterThan(0);
      for (const { box, keypoints, score, grid } of candidates) {
        expect(score).toBeGreaterThanOrEqual(0.3);
        expect([1, 2]).toContain(grid);
        expect(keypoints).toHaveLength(6);
        // Eyes, nose and mouth lie inside the box (the ears may stick out).
        for (const [x, y] of keypoints.slice(0, 4)) {
          expect(x).toBeGreaterThan(box.x);
          expect(x).toBeLessThan(box.x + box.width);
          expect(y).toBeGreaterThan(box.y);
          expect(y).toBeLessThan(box.y + box.height);
        }
      }
      // Boxes between voteScore and minScore vote, so a face does not move with minScore.
      const low = await detector.detect(photo, { minScore: 0.3 });
      const high = await detector.detect(photo, { minScore: 0.6 });
      expect(high).toEqual(low.filter((face) => face.score >= 0.6));
      photo.dispose();
    },
    60_000,
  );

  it('throws typed errors for an image that is not [height, width, 3|4], bad options and a missing model', async () => {
    const flat = tf.zeros([16, 16]);
    await expect(detector.detect(flat as never)).rejects.toMatchObject({
      code: 'BAD_IMAGE_TENSOR',
    });
    const empty = tf.zeros([0, 16, 3]);
    await expect(detector.detect(empty as tf.Tensor3D)).rejects.toMatchObject({
      code: 'BAD_IMAGE_TENSOR',
    });
    const photo = tf.zeros([16, 16, 3]) as tf.Tensor3D;
    for (const options of [
      { grids: [] },
      { grids: [0.5] },
      { minScore: 2 },
      { voteScore: -0.1 },
      { tileOverlap: -1 },
    ]) {
      await expect(detector.detect(photo, options), JSON.stringify(options)).rejects.toMatchObject({
        code: 'INVALID_OPTION',
      });
    }
    photo.dispose();
    await expect(FaceDetector.load('/no/such/blazeface.json')).rejects.toMatchObject({
      code: 'MODEL_UNREADABLE',
    });
    tf.dispose([flat, empty]);
  });
});
