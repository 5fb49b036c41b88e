// Measures the face detector on whole VOC photos against their annotated boxes, for several tilings,
// and the end-to-end score (detector + shipped classifier, per annotated face). Prints the figures.
// Usage: ACTLAB_DATA_DIR=… node scripts/measure-face-detection.mjs [--photos 0-852] [--grids "1;1,2;1,2,3"]
//          [--overlap 0.25] [--min-scores 0.3,0.5,0.7] [--rounds 1] [--end-to-end "1,2" [--end-to-end-all]]
//          [--backend wasm]
// Each grid set runs the detector once, at the lowest --min-scores; the rows of higher min scores
// filter its faces, which is exactly what the detector gives at that min score as long as the
// lowest is ≥ its voteScore (0.3), as boxes down to voteScore vote either way.
// --end-to-end runs detector + classifier on the photos of the classifier's validation split
// (add --end-to-end-all for every photo in --photos too).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '@actlab/backend';
import {
  boxIoU,
  clampBox,
  decodeImage,
  FaceDetector,
  labelIndex,
  loadFaceMaskDataset,
  MaskDetector,
  parseVocAnnotation,
} from '@actlab/mask-detector';
import * as tf from '@tensorflow/tfjs-core';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '0-852' },
    grids: { type: 'string', default: '1;1,2;1,2,3' },
    overlap: { type: 'string', default: '0.25' },
    'min-scores': { type: 'string', default: '0.3,0.5,0.7' },
    rounds: { type: 'string', default: '1' },
    'end-to-end': { type: 'string', default: '' },
    'end-to-end-all': { type: 'boolean', default: false },
    backend: { type: 'string', default: 'wasm' },
  },
});
const dataDir = process.env.ACTLAB_DATA_DIR;
if (!dataDir) throw new Error('set ACTLAB_DATA_DIR to the folder holding face-mask-voc/');
const vocDir = join(dataDir, 'face-mask-voc');
const [first, last] = values.photos.split('-').map(Number);
const photoIds = Array.from({ length: last - first + 1 }, (_, i) => first + i);
const gridSets = values.grids.split(';').map((set) => set.split(',').map(Number));
const minScores = values['min-scores'].split(',').map(Number);
const overlap = Number(values.overlap);
const rounds = Number(values.rounds);

const backend = await selectBackend(values.backend);
console.log(`backend: ${backend.reason}; node ${process.version}; ${new Date().toISOString()}`);

const photos = [];
for (const id of photoIds) {
  const annotation = parseVocAnnotation(
    await readFile(join(vocDir, 'annotations', `maksssksksss${id}.xml`), 'utf8'),
  );
  const { width, height } = annotation;
  const faces = annotation.objects.flatMap((object) => {
    const box = {
      x: object.xmin,
      y: object.ymin,
      width: object.xmax - object.xmin,
      height: object.ymax - object.ymin,
    };
    const clamped = clampBox(box, width, height).box;
    return clamped ? [{ box: clamped, label: labelIndex(object.name, 2) }] : [];
  });
  photos.push({ id, path: join(vocDir, 'images', `maksssksksss${id}.jpg`), faces });
}
const allFaces = photos.reduce((sum, photo) => sum + photo.faces.length, 0);
const bigFaces = photos.reduce((sum, p) => sum + p.faces.filter(isBig).length, 0);
console.log(
  `photos ${values.photos} (${photos.length}): ${allFaces} annotated faces, ${bigFaces} with shorter side ≥ 16 px`,
);

function isBig(face) {
  return Math.min(face.box.width, face.box.height) >= 16;
}

/** Greedy matching, best score first: each detection takes the unmatched face it overlaps most. */
function match(detections, faces, minIoU) {
  const taken = new Set();
  const pairs = [];
  for (const detection of [...detections].sort((a, b) => b.score - a.score)) {
    let best = -1;
    let bestIoU = minIoU;
    faces.forEach((face, index) => {
      const iou = boxIoU(detection.box, face.box);
      if (!taken.has(index) && iou >= bestIoU) {
        best = index;
        bestIoU = iou;
      }
    });
    if (best >= 0) {
      taken.add(best);
      pairs.push({ detection, face: faces[best] });
    }
  }
  return pairs;
}

const detector = await FaceDetector.load();
const lowest = Math.min(...minScores);
const table = [
  '| grids | views / photo | ms / photo (mean, best round) | min score | IoU | recall, faces ≥ 16 px | recall, all faces | precision |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const grids of gridSets) {
  const results = photos.map(() => []);
  let bestMs = Number.POSITIVE_INFINITY;
  let views = 0;
  for (let round = 0; round < rounds; round++) {
    let total = 0;
    for (const [i, photo] of photos.entries()) {
      const image = await decodeImage(photo.path);
      const started = performance.now();
      results[i] = await detector.detect(image, { grids, tileOverlap: overlap, minScore: lowest });
      total += performance.now() - started;
      if (round === 0) views += countViews(image.shape, grids);
      image.dispose();
    }
    bestMs = Math.min(bestMs, total / photos.length);
  }
  for (const minScore of minScores) {
    for (const minIoU of [0.5, 0.3]) {
      let found = 0;
      let foundBig = 0;
      let kept = 0;
      photos.forEach((photo, i) => {
        const detections = results[i].filter((d) => d.score >= minScore);
        const pairs = match(detections, photo.faces, minIoU);
        kept += detections.length;
        found += pairs.length;
        foundBig += pairs.filter((pair) => isBig(pair.face)).length;
      });
      table.push(
        `| ${grids.join(', ')} | ${(views / photos.length).toFixed(1)} | ${bestMs.toFixed(0)} | ${minScore} | ${minIoU} | ${pct(foundBig, bigFaces)} | ${pct(found, allFaces)} | ${pct(found, kept)} |`,
      );
    }
  }
  console.log(`grids ${grids.join(',')} done`);
}
console.log(table.join('\n'));

function countViews([height, width], grids) {
  const longer = Math.max(width, height);
  return grids.reduce((sum, grid) => {
    if (grid === 1) return sum + 1;
    const side = Math.min(longer, (longer / grid) * (1 + overlap));
    const along = (length) =>
      length <= side ? 1 : Math.ceil((length - side) / (longer / grid)) + 1;
    return sum + along(width) * along(height);
  }, 0);
}

function pct(part, whole) {
  return whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)} % (${part}/${whole})`;
}

if (values['end-to-end']) {
  // Honest end to end: only the photos of the classifier's validation split (the loader's split
  // with the training script's settings), plus all photos for reference.
  const voc = await loadFaceMaskDataset(vocDir, {
    format: 'voc',
    size: 48,
    classes: 2,
    minBoxSize: 10,
    seed: 0,
  });
  const validationFiles = new Set(voc.split.validation.map((i) => voc.samples[i].file));
  tf.dispose([voc.images, voc.labels]);
  const grids = values['end-to-end'].split(',').map(Number);
  const mask = await MaskDetector.load(undefined, { faceDetector: detector });
  process.stdout.write(`end to end on ${validationFiles.size} validation photos\n`);
  const lines = [
    `End to end (grids ${grids.join(', ')}, default min score): a face counts when a detection overlaps it at IoU ≥ 0.5 and carries its label (with_mask / no_mask).`,
    '| photos | faces | found | found and labelled right | labelled right among found | balanced accuracy among found | faces ≥ 16 px: found and labelled right |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const rows = { validation: [], ...(values['end-to-end-all'] ? { all: [] } : {}) };
  for (const photo of photos) {
    const inValidation = validationFiles.has(photo.path);
    if (!inValidation && !values['end-to-end-all']) continue;
    const faces = await mask.detect(photo.path, { grids, tileOverlap: overlap });
    const pairs = match(faces, photo.faces, 0.5);
    const entry = { photo, pairs };
    rows.all?.push(entry);
    if (inValidation) rows.validation.push(entry);
  }
  for (const [name, entries] of Object.entries(rows)) {
    const faces = entries.flatMap((e) => e.photo.faces);
    const pairs = entries.flatMap((e) => e.pairs);
    const right = pairs.filter((p) => (p.detection.label === 'with_mask' ? 0 : 1) === p.face.label);
    const perClass = [0, 1].map((c) => {
      const of = pairs.filter((p) => p.face.label === c);
      return of.length === 0 ? 0 : of.filter((p) => right.includes(p)).length / of.length;
    });
    const big = faces.filter(isBig).length;
    lines.push(
      `| ${name} (${entries.length}) | ${faces.length} | ${pct(pairs.length, faces.length)} | ${pct(right.length, faces.length)} | ${pct(right.length, pairs.length)} | ${((perClass[0] + perClass[1]) / 2).toFixed(3)} | ${pct(right.filter((p) => isBig(p.face)).length, big)} |`,
    );
  }
  console.log(lines.join('\n'));
  mask.dispose();
} else {
  detector.dispose();
}
console.log(`tensors left: ${tf.memory().numTensors}`);
