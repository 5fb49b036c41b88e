// Fits the face detector's box calibration (BlazeFace box + keypoints → the box VOC annotators
// draw) on some VOC photos and writes it to src/voc-face-box-calibration.ts. Evaluate it with
// measure-face-detection.mjs on the other photos.
// Usage: ACTLAB_DATA_DIR=… node scripts/fit-face-box-calibration.mjs [--photos 0-299] [--grids 1,2]
//          [--min-score 0.3] [--min-iou 0.3] [--write]
// then `corepack pnpm exec biome format --write src/voc-face-box-calibration.ts` from the root.
// Samples: every box of grids [1, 2] scored ≥ 0.3 (before calibration) paired with the annotated
// face it overlaps most, if at IoU ≥ 0.3.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '@actlab/backend';
import {
  boxIoU,
  clampBox,
  decodeImage,
  FaceDetector,
  fitFaceBoxCalibration,
  parseVocAnnotation,
} from '@actlab/mask-detector';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '0-299' },
    grids: { type: 'string', default: '1,2' },
    'min-score': { type: 'string', default: '0.3' },
    'min-iou': { type: 'string', default: '0.3' },
    write: { type: 'boolean', default: false },
  },
});
const dataDir = process.env.ACTLAB_DATA_DIR;
if (!dataDir) throw new Error('set ACTLAB_DATA_DIR to the folder holding face-mask-voc/');
const vocDir = join(dataDir, 'face-mask-voc');
const [first, last] = values.photos.split('-').map(Number);
const grids = values.grids.split(',').map(Number);
const minScore = Number(values['min-score']);
const minIoU = Number(values['min-iou']);
await selectBackend('wasm');
const detector = await FaceDetector.load();

const samples = [];
for (let id = first; id <= last; id++) {
  const xml = await readFile(join(vocDir, 'annotations', `maksssksksss${id}.xml`), 'utf8');
  const { width, height, objects } = parseVocAnnotation(xml);
  const faces = objects.flatMap((o) => {
    const box = { x: o.xmin, y: o.ymin, width: o.xmax - o.xmin, height: o.ymax - o.ymin };
    const clamped = clampBox(box, width, height).box;
    return clamped ? [clamped] : [];
  });
  const image = await decodeImage(join(vocDir, 'images', `maksssksksss${id}.jpg`));
  const candidates = await detector.detectCandidates(image, {
    grids,
    minScore,
    voteScore: minScore,
  });
  image.dispose();
  for (const { box, keypoints } of candidates) {
    let annotated = null;
    let best = minIoU;
    for (const face of faces) {
      const iou = boxIoU(box, face);
      if (iou >= best) {
        best = iou;
        annotated = face;
      }
    }
    if (annotated) samples.push({ box, keypoints, annotated });
  }
}
detector.dispose();
const { coefficients } = fitFaceBoxCalibration(samples);
const rows = coefficients.map((row) => `    [${row.map((c) => c.toPrecision(6)).join(', ')}],`);
const source = `import type { FaceBoxCalibration } from './face-box-calibration.js';

/**
 * BlazeFace's box and keypoints → the box the VOC annotators draw, fitted by
 * \`scripts/fit-face-box-calibration.mjs --photos ${values.photos} --write\` on ${samples.length} boxes
 * of grids [${grids.join(', ')}] scored ≥ ${minScore} in VOC photos ${first}–${last}, each paired with the annotated face it
 * overlaps most (IoU ≥ ${minIoU}). Measure it on the other photos.
 */
export const vocFaceBoxCalibration: FaceBoxCalibration = {
  coefficients: [
${rows.join('\n')}
  ],
};
`;
console.log(`${samples.length} samples from photos ${first}–${last}`);
if (values.write) {
  await writeFile(new URL('../src/voc-face-box-calibration.ts', import.meta.url), source);
  console.log('wrote src/voc-face-box-calibration.ts');
} else {
  console.log(source);
}
