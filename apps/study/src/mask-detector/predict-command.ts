import { readFile } from 'node:fs/promises';
import {
  type FaceBox,
  MaskDetector,
  MaskDetectorError,
  type MaskPrediction,
  parseVocAnnotation,
} from '@actlab/mask-detector';
import sharp from 'sharp';
import { writeFileAtomically } from '../engine/atomic-files.js';
import { useBackend } from '../engine/use-backend.js';

/** Options of `actlab mask predict`. */
export interface MaskPredictOptions {
  annotations?: string;
  box?: string[];
  model?: string;
  out?: string;
  backend: string;
}

function parseBox(text: string): FaceBox {
  const parts = text.split(',').map(Number);
  if (parts.length !== 4 || !parts.every(Number.isFinite)) {
    throw new MaskDetectorError({
      code: 'BAD_BOX',
      message: `--box expects x,y,width,height in pixels, got "${text}"`,
    });
  }
  const [x, y, width, height] = parts as [number, number, number, number];
  return { x, y, width, height };
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** An SVG the size of the photo with one labelled rectangle per box (green: mask, red: none). */
function overlaySvg(
  width: number,
  height: number,
  boxes: FaceBox[],
  results: MaskPrediction[],
): string {
  const shapes = boxes.map((box, i) => {
    const result = results[i] as MaskPrediction;
    const colour = result.label === 'with_mask' ? '#1e9650' : '#d22828';
    const text = `${result.label} ${result.probability.toFixed(2)}`;
    return `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" fill="none" stroke="${colour}" stroke-width="2"/><text x="${box.x}" y="${Math.max(10, box.y - 3)}" font-family="DejaVu Sans, sans-serif" font-size="10" fill="${colour}">${escapeXml(text)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

/**
 * `actlab mask predict <image>`: classifies the faces of a photo (boxes from a Pascal VOC file or
 * `--box`), or the whole image as one face crop, prints one line per face, and with `--out` writes
 * the photo with labelled boxes.
 */
export async function maskPredictCommand(
  image: string,
  options: MaskPredictOptions,
): Promise<void> {
  await useBackend(options.backend);
  const detector = await MaskDetector.load(options.model);
  try {
    let boxes: FaceBox[] = (options.box ?? []).map(parseBox);
    if (options.annotations) {
      const annotation = parseVocAnnotation(await readFile(options.annotations, 'utf8'));
      boxes = boxes.concat(
        annotation.objects.map((o) => ({
          x: o.xmin,
          y: o.ymin,
          width: o.xmax - o.xmin,
          height: o.ymax - o.ymin,
        })),
      );
    }
    const { width, height } = await sharp(image).metadata();
    const wholeImage = boxes.length === 0;
    if (wholeImage) boxes = [{ x: 0, y: 0, width: width ?? 1, height: height ?? 1 }];
    const results = wholeImage
      ? [await detector.classify(image)]
      : await detector.classifyFaces(image, boxes);
    results.forEach((result, i) => {
      const box = boxes[i] as FaceBox;
      process.stdout.write(
        `${wholeImage ? 'image' : `box ${box.x},${box.y},${box.width},${box.height}`}: ${result.label} (p = ${result.probability.toFixed(3)})\n`,
      );
    });
    if (options.out) {
      const svg = Buffer.from(overlaySvg(width ?? 1, height ?? 1, boxes, results));
      const format = /\.jpe?g$/i.test(options.out) ? 'jpeg' : 'png';
      await writeFileAtomically(
        options.out,
        await sharp(image)
          .composite([{ input: svg }])
          .toFormat(format)
          .toBuffer(),
      );
      process.stdout.write(`wrote ${options.out}\n`);
    }
  } finally {
    detector.dispose();
  }
}
