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

/** A face to print and draw: its box, the classifier's verdict and, when detected, the detector's score. */
interface LabelledFace {
  box: FaceBox;
  label: MaskPrediction['label'];
  probability: number;
  score?: number;
}

/** An SVG the size of the photo with one labelled rectangle per face (green: mask, red: none). */
function overlaySvg(width: number, height: number, faces: LabelledFace[]): string {
  const shapes = faces.map(({ box, label, probability }) => {
    const colour = label === 'with_mask' ? '#1e9650' : '#d22828';
    const text = `${label} ${probability.toFixed(2)}`;
    return `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" fill="none" stroke="${colour}" stroke-width="2"/><text x="${box.x}" y="${Math.max(10, box.y - 3)}" font-family="DejaVu Sans, sans-serif" font-size="10" fill="${colour}">${escapeXml(text)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

async function classifyBoxes(
  detector: MaskDetector,
  image: string,
  boxes: FaceBox[],
): Promise<LabelledFace[]> {
  const results = await detector.classifyFaces(image, boxes);
  return results.map((result, i) => ({ box: boxes[i] as FaceBox, ...result }));
}

/**
 * `actlab mask predict <image>`: classifies the faces of a photo — boxes from a Pascal VOC file or
 * `--box`, or else the faces the shipped face detector finds (the whole image as one face crop
 * when it finds none) — prints one line per face, and with `--out` writes the photo with
 * labelled boxes.
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
    const { width = 1, height = 1 } = await sharp(image).metadata();
    const faces = boxes.length > 0 ? await classifyBoxes(detector, image, boxes) : [];
    if (boxes.length === 0) {
      faces.push(
        ...(await detector.detect(image)).map((f) => ({ ...f, probability: f.confidence })),
      );
    }
    const wholeImage = faces.length === 0;
    if (wholeImage) {
      const result = await detector.classify(image);
      faces.push({ box: { x: 0, y: 0, width, height }, ...result });
    }
    for (const { box, label, probability, score } of faces) {
      const where = wholeImage
        ? 'image (no face found: the whole image as one face)'
        : `${score === undefined ? 'box' : 'face'} ${[box.x, box.y, box.width, box.height].map((v) => Math.round(v)).join(',')}${score === undefined ? '' : ` (face score ${score.toFixed(2)})`}`;
      process.stdout.write(`${where}: ${label} (p = ${probability.toFixed(3)})\n`);
    }
    if (options.out) {
      const svg = Buffer.from(overlaySvg(width, height, faces));
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
