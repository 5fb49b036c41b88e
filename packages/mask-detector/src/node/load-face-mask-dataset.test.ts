import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { makeTempDir } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFaceMaskDataset } from './load-face-mask-dataset.js';

const solid = (
  width: number,
  height: number,
  rgb: [number, number, number],
  format: 'jpeg' | 'png' = 'png',
) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    [format]()
    .toBuffer();

const voc = (
  file: string,
  width: number,
  height: number,
  boxes: [string, number, number, number, number][],
) =>
  `<annotation><folder>images</folder><filename>${file}</filename><size><width>${width}</width><height>${height}</height><depth>3</depth></size>${boxes
    .map(
      ([name, xmin, ymin, xmax, ymax]) =>
        `<object><name>${name}</name><bndbox><xmin>${xmin}</xmin><ymin>${ymin}</ymin><xmax>${xmax}</xmax><ymax>${ymax}</ymax></bndbox></object>`,
    )
    .join('')}</annotation>`;

let folder: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  await tf.setBackend('cpu');
  folder = await makeTempDir('mask-loader-');
  const vocDir = join(folder.path, 'voc');
  await mkdir(join(vocDir, 'images'), { recursive: true });
  await mkdir(join(vocDir, 'annotations'));
  await writeFile(join(vocDir, 'images', 'a.png'), await solid(40, 30, [200, 0, 0]));
  await writeFile(
    join(vocDir, 'annotations', 'a.xml'),
    voc('a.png', 40, 30, [
      ['with_mask', 2, 2, 20, 20],
      ['without_mask', 25, 5, 41, 25], // ends 1 px past the right edge: clamped
      ['mask_weared_incorrect', 10, 22, 14, 26], // 4 px: under minBoxSize
      ['with_mask', 50, 50, 60, 60], // outside the image
    ]),
  );
  await writeFile(join(vocDir, 'images', 'b.jpg'), await solid(30, 30, [0, 0, 200], 'jpeg'));
  await writeFile(
    join(vocDir, 'annotations', 'b.xml'),
    voc('b.jpg', 30, 30, [['without_mask', 0, 0, 30, 30]]),
  );
  await writeFile(join(vocDir, 'annotations', 'empty.xml'), voc('empty.png', 10, 10, []));
  const truncated = await solid(30, 30, [0, 200, 0], 'jpeg');
  await writeFile(join(vocDir, 'images', 'c.jpg'), truncated.subarray(0, truncated.length / 2));
  await writeFile(
    join(vocDir, 'annotations', 'c.xml'),
    voc('c.jpg', 30, 30, [['with_mask', 0, 0, 20, 20]]),
  );
  await writeFile(join(vocDir, 'annotations', 'd.xml'), 'this is not xml <<<');

  const folders = join(folder.path, 'folders');
  await mkdir(join(folders, 'with_mask'), { recursive: true });
  await mkdir(join(folders, 'without_mask'));
  for (let i = 0; i < 10; i++) {
    await writeFile(
      join(folders, 'with_mask', `${i}-with-mask.jpg`),
      await solid(20, 24, [10 * i, 100, 50], 'jpeg'),
    );
    await writeFile(
      join(folders, 'without_mask', `${i}.jpg`),
      await solid(20, 24, [10 * i, 50, 150], 'jpeg'),
    );
  }
  // Exact copies: dropped before the split.
  await writeFile(
    join(folders, 'with_mask', 'augmented_image_1.jpg'),
    await solid(20, 24, [0, 100, 50], 'jpeg'),
  );
  await writeFile(
    join(folders, 'without_mask', 'augmented_image_2.jpg'),
    await solid(20, 24, [90, 50, 150], 'jpeg'),
  );
  await writeFile(
    join(folders, 'without_mask', 'broken.jpg'),
    new Uint8Array([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]),
  );
  await mkdir(join(folder.path, 'empty-class', 'with_mask'), { recursive: true });
  await mkdir(join(folder.path, 'empty-class', 'without_mask'));
  await writeFile(
    join(folder.path, 'empty-class', 'with_mask', '1-with-mask.jpg'),
    await solid(8, 8, [1, 2, 3], 'jpeg'),
  );
});

afterAll(async () => {
  await folder?.remove();
});

describe('loadFaceMaskDataset, VOC format', () => {
  it('clamps boxes past the edge, skips tiny and outside boxes, and counts unreadable files', async () => {
    const before = tf.memory().numTensors;
    const data = await loadFaceMaskDataset(join(folder.path, 'voc'), {
      format: 'voc',
      size: 16,
      minBoxSize: 10,
      classes: 3,
    });
    expect(data.images.shape).toEqual([3, 16, 16, 3]);
    expect(data.samples.map((s) => [s.label, s.box])).toEqual([
      [0, { x: 2, y: 2, width: 18, height: 18 }],
      [1, { x: 25, y: 5, width: 15, height: 20 }],
      [1, { x: 0, y: 0, width: 30, height: 30 }],
    ]);
    expect(data.summary.boxesClamped).toBe(1); // the box outside counts as skipped, not clamped
    expect(data.summary.skipped).toMatchObject({
      tooSmall: 1,
      outsideImage: 1,
      unreadableImage: 1,
      unreadableAnnotation: 1,
      annotationWithoutBoxes: 1,
    });
    expect(data.summary.loadedPerClass).toEqual({
      with_mask: 1,
      without_mask: 2,
      mask_weared_incorrect: 0,
    });
    expect(data.summary.skippedPerClass).toEqual({
      with_mask: 2,
      without_mask: 0,
      mask_weared_incorrect: 1,
    });
    // The red photo's crop is red, the blue photo's blue: pixels really come from the right file.
    const pixels = (await data.images.array()) as number[][][][];
    expect(pixels[0]?.[8]?.[8]?.[0]).toBeGreaterThan(0.7);
    expect(pixels[2]?.[8]?.[8]?.[2]).toBeGreaterThan(0.7);
    data.images.dispose();
    data.labels.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('merges without_mask and mask_weared_incorrect into no_mask in two-class mode and keeps tiny boxes when asked', async () => {
    const data = await loadFaceMaskDataset(join(folder.path, 'voc'), {
      format: 'voc',
      size: 8,
      minBoxSize: 0,
    });
    expect(data.classNames).toEqual(['with_mask', 'no_mask']);
    expect(Array.from(data.labelIndices)).toEqual([0, 1, 1, 1]);
    // Boxes of one photo never straddle the split.
    const side = (i: number) => (data.split.validation.includes(i) ? 'v' : 't');
    expect(new Set([0, 1, 2].map(side)).size).toBe(1);
    tf.dispose([data.images, data.labels]);
  });
});

describe('loadFaceMaskDataset, class folders', () => {
  it('drops exact duplicates, skips an unreadable file and keeps every synthetic pair on one side', async () => {
    const data = await loadFaceMaskDataset(join(folder.path, 'folders'), {
      format: 'folders',
      size: 8,
      seed: 3,
      validationFraction: 0.2,
    });
    expect(data.summary.duplicatesDropped).toBe(2);
    expect(data.summary.skipped.unreadableImage).toBe(1);
    expect(data.summary.pairsKeptTogether).toBe(10);
    expect(data.summary.loadedPerClass).toEqual({ with_mask: 10, no_mask: 10 });
    expect(data.split.validation.length).toBeGreaterThan(0);
    for (const index of data.split.validation) {
      const group = data.samples[index]?.group;
      const partners = data.samples.flatMap((sample, i) => (sample.group === group ? [i] : []));
      expect(partners).toHaveLength(2);
      for (const partner of partners) expect(data.split.validation).toContain(partner);
    }
    tf.dispose([data.images, data.labels]);
  });

  it('throws typed errors for an empty class folder, a missing folder and bad options', async () => {
    await expect(
      loadFaceMaskDataset(join(folder.path, 'empty-class'), { format: 'folders' }),
    ).rejects.toMatchObject({ code: 'EMPTY_CLASS_FOLDER' });
    await expect(
      loadFaceMaskDataset(join(folder.path, 'nope'), { format: 'voc' }),
    ).rejects.toMatchObject({ code: 'DATASET_NOT_FOUND' });
    await expect(
      loadFaceMaskDataset(join(folder.path, 'folders'), { format: 'folders', classes: 3 }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(
      loadFaceMaskDataset(join(folder.path, 'folders'), { format: 'coco' as never }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});

/** A small PNG whose header says `width` × `height` (CRC fixed): a pixel bomb for the decoder. */
async function pngDeclaring(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await solid(16, 16, [1, 2, 3]));
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('loadFaceMaskDataset, images with too many pixels', () => {
  const limit = 'images may have at most 67108864 pixels (8192 × 8192)';

  it('skips a class-folder PNG declaring 9000 × 9000 pixels, naming the file and the limit', async () => {
    const dir = join(folder.path, 'huge-folders');
    await mkdir(join(dir, 'with_mask'), { recursive: true });
    await mkdir(join(dir, 'without_mask'));
    for (let i = 0; i < 2; i++) {
      await writeFile(join(dir, 'with_mask', `${i}.png`), await solid(8, 8, [9 * i, 90, 9]));
      await writeFile(join(dir, 'without_mask', `${i}.png`), await solid(8, 8, [9 * i, 9, 90]));
    }
    const bomb = join(dir, 'with_mask', 'bomb.png');
    await writeFile(bomb, await pngDeclaring(9000, 9000));
    const data = await loadFaceMaskDataset(dir, { format: 'folders', size: 8, seed: 1 });
    expect(data.summary.skipped.unreadableImage).toBe(1);
    expect(data.summary.loadedPerClass).toEqual({ with_mask: 2, no_mask: 2 });
    expect(data.summary.warnings.find((line) => line.startsWith(bomb))).toContain(limit);
    tf.dispose([data.images, data.labels]);
  });

  it('skips a VOC photo declaring 9000 × 9000 pixels, naming the file and the limit', async () => {
    const dir = join(folder.path, 'huge-voc');
    await mkdir(join(dir, 'images'), { recursive: true });
    await mkdir(join(dir, 'annotations'));
    await writeFile(join(dir, 'images', 'ok.png'), await solid(30, 30, [0, 200, 0]));
    await writeFile(
      join(dir, 'annotations', 'ok.xml'),
      voc('ok.png', 30, 30, [['with_mask', 0, 0, 20, 20]]),
    );
    await writeFile(join(dir, 'images', 'bomb.png'), await pngDeclaring(9000, 9000));
    await writeFile(
      join(dir, 'annotations', 'bomb.xml'),
      voc('bomb.png', 9000, 9000, [['with_mask', 0, 0, 20, 20]]),
    );
    const data = await loadFaceMaskDataset(dir, { format: 'voc', size: 8, minBoxSize: 1 });
    expect(data.summary.skipped.unreadableImage).toBe(1);
    const warning = data.summary.warnings.find((line) => line.includes('bomb.png'));
    expect(warning).toContain(join(dir, 'images', 'bomb.png'));
    expect(warning).toContain(limit);
    tf.dispose([data.images, data.labels]);
  });
});
