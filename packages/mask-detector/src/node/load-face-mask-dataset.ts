import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { OutputInfo } from 'sharp';
import { clampBox, cropWithMargin, type FaceBox } from '../box-geometry.js';
import { groupedStratifiedSplit, type SplitIndices } from '../grouped-split.js';
import { type ClassMode, classNamesFor, labelIndex, type MaskLabel } from '../labels.js';
import { MaskDetectorError } from '../mask-detector-error.js';
import { parseVocAnnotation } from '../parse-voc.js';
import { maxImagePixels, maxImagePixelsText } from './max-image-pixels.js';
import { loadSharp } from './optional-dependency.js';

/** Options of {@link loadFaceMaskDataset}. */
export interface LoadFaceMaskOptions {
  /** `voc`: photos with Pascal VOC boxes. `folders`: one folder of face photos per class. */
  format: 'voc' | 'folders';
  /** Side of the square RGB crops in pixels. Default 64. */
  size?: number;
  /** Context kept around a VOC box, as a fraction of its width and height. Default 0.1. */
  margin?: number;
  /** VOC boxes whose shorter side (after clamping) is under this many pixels are skipped. Default 10. */
  minBoxSize?: number;
  /** 2: with_mask / no_mask (the seed). 3: the VOC classes (VOC only). Default 2. */
  classes?: ClassMode;
  /** Seed of the validation split. Default 0. */
  seed?: number;
  /** Share of samples in validation. Default 0.1. */
  validationFraction?: number;
  /** Load at most this many annotation files or images per class (sorted by name), for quick runs. */
  limit?: number;
}

/** Where a sample came from. */
export interface FaceSample {
  /** Path of the source image. */
  file: string;
  /** The face box in the source photo (VOC only), after clamping. */
  box?: FaceBox;
  label: number;
  /** Samples with one group key never straddle the split (a photo, or a synthetic pair). */
  group: string;
}

/** What was loaded and what was left out, and why. */
export interface LoadSummary {
  loadedPerClass: Record<string, number>;
  skippedPerClass: Record<string, number>;
  /** Skipped items by reason. */
  skipped: {
    tooSmall: number;
    outsideImage: number;
    unknownClass: number;
    malformedBox: number;
    unreadableImage: number;
    unreadableAnnotation: number;
    annotationWithoutBoxes: number;
  };
  boxesClamped: number;
  duplicatesDropped: number;
  /** Synthetic pairs (`N.jpg` / `N-with-mask.jpg`) found and kept on one side of the split. */
  pairsKeptTogether: number;
  /** One line per skipped file or box. */
  warnings: string[];
}

/** A loaded dataset: tensors, provenance, summary and a grouped stratified split. */
export interface FaceMaskDataset {
  /** `[n, size, size, 3]` float32 in [0, 1]. Dispose it when done. */
  images: tf.Tensor4D;
  /** `[n]` int32 label indices into `classNames`. Dispose it when done. */
  labels: tf.Tensor1D;
  labelIndices: Int32Array;
  classNames: readonly MaskLabel[];
  samples: FaceSample[];
  split: SplitIndices;
  summary: LoadSummary;
}

const imageExtensions = new Set(['.jpg', '.jpeg', '.png']);

function invalid(message: string): MaskDetectorError {
  return new MaskDetectorError({ code: 'INVALID_OPTION', message });
}

async function listFolder(dir: string, what: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (cause) {
    throw new MaskDetectorError({
      code: 'DATASET_NOT_FOUND',
      message: `cannot read ${what} ${dir}: ${(cause as Error).message}. Point the loader at the dataset folder (see the README for the layout).`,
      cause,
    });
  }
}

interface Collected {
  pixels: Buffer[];
  samples: FaceSample[];
}

function emptySummary(classNames: readonly string[]): LoadSummary {
  return {
    loadedPerClass: Object.fromEntries(classNames.map((name) => [name, 0])),
    skippedPerClass: Object.fromEntries(classNames.map((name) => [name, 0])),
    skipped: {
      tooSmall: 0,
      outsideImage: 0,
      unknownClass: 0,
      malformedBox: 0,
      unreadableImage: 0,
      unreadableAnnotation: 0,
      annotationWithoutBoxes: 0,
    },
    boxesClamped: 0,
    duplicatesDropped: 0,
    pairsKeptTogether: 0,
    warnings: [],
  };
}

/** sharp's reason, with our limit spelled out when the image has too many pixels. */
function unreadableReason(cause: unknown): string {
  const message = (cause as Error | undefined)?.message ?? 'missing';
  return /pixel limit/i.test(message)
    ? `${message}: images may have ${maxImagePixelsText}`
    : message;
}

async function loadVoc(
  dir: string,
  options: Required<Omit<LoadFaceMaskOptions, 'limit' | 'validationFraction' | 'seed'>> & {
    limit?: number;
  },
  summary: LoadSummary,
  collected: Collected,
): Promise<void> {
  const sharp = loadSharp('loadFaceMaskDataset');
  const classNames = classNamesFor(options.classes);
  const annotationDir = join(dir, 'annotations');
  const imageDir = join(dir, 'images');
  let files = (await listFolder(annotationDir, 'the VOC annotations folder')).filter((f) =>
    f.endsWith('.xml'),
  );
  if (options.limit !== undefined) files = files.slice(0, options.limit);
  for (const file of files) {
    const annotationPath = join(annotationDir, file);
    let annotation: ReturnType<typeof parseVocAnnotation>;
    try {
      annotation = parseVocAnnotation(await readFile(annotationPath, 'utf8'));
    } catch (cause) {
      summary.skipped.unreadableAnnotation++;
      summary.warnings.push(
        `${annotationPath}: not a VOC annotation (${(cause as Error).message})`,
      );
      continue;
    }
    summary.skipped.malformedBox += annotation.malformedObjects;
    if (annotation.malformedObjects > 0) {
      summary.warnings.push(
        `${annotationPath}: ${annotation.malformedObjects} object(s) without a numeric box`,
      );
    }
    if (annotation.objects.length === 0) {
      summary.skipped.annotationWithoutBoxes++;
      summary.warnings.push(`${annotationPath}: no boxes`);
      continue;
    }
    const stem = basename(file, '.xml');
    const candidates = [
      ...(annotation.filename ? [annotation.filename] : []),
      `${stem}.jpg`,
      `${stem}.png`,
      `${stem}.jpeg`,
    ];
    let decoded: { data: Buffer; info: OutputInfo } | undefined;
    let imagePath = join(imageDir, candidates[0] as string);
    let lastError: unknown;
    for (const candidate of candidates) {
      imagePath = join(imageDir, candidate);
      try {
        decoded = await sharp(imagePath, { failOn: 'truncated', limitInputPixels: maxImagePixels })
          .removeAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        break;
      } catch (cause) {
        // The reason of a file that exists (too many pixels, truncated) beats "missing" of the
        // other candidate names.
        if (
          lastError === undefined ||
          /input file is missing/i.test((lastError as Error).message)
        ) {
          lastError = cause;
        }
      }
    }
    const countSkip = (name: string) => {
      const index = labelIndex(name, options.classes);
      const key = classNames[index];
      if (key !== undefined) summary.skippedPerClass[key] = (summary.skippedPerClass[key] ?? 0) + 1;
    };
    if (decoded === undefined) {
      summary.skipped.unreadableImage++;
      summary.warnings.push(
        `${join(imageDir, candidates[0] as string)}: unreadable or truncated image, or more than 8192 × 8192 pixels (${unreadableReason(lastError)}); its ${annotation.objects.length} box(es) skipped`,
      );
      for (const object of annotation.objects) countSkip(object.name);
      continue;
    }
    const { width, height, channels } = decoded.info;
    const photo = sharp(decoded.data, { raw: { width, height, channels } });
    for (const object of annotation.objects) {
      const label = labelIndex(object.name, options.classes);
      if (label < 0) {
        summary.skipped.unknownClass++;
        summary.warnings.push(`${annotationPath}: unknown class "${object.name}"`);
        continue;
      }
      const { box, clamped } = clampBox(
        {
          x: object.xmin,
          y: object.ymin,
          width: object.xmax - object.xmin,
          height: object.ymax - object.ymin,
        },
        width,
        height,
      );
      if (box === null) {
        summary.skipped.outsideImage++;
        countSkip(object.name);
        summary.warnings.push(
          `${annotationPath}: box ${object.xmin},${object.ymin},${object.xmax},${object.ymax} is outside the ${width}×${height} image`,
        );
        continue;
      }
      if (clamped) summary.boxesClamped++;
      if (Math.min(box.width, box.height) < options.minBoxSize) {
        summary.skipped.tooSmall++;
        countSkip(object.name);
        continue;
      }
      const crop = cropWithMargin(box, options.margin, width, height);
      const pixels = await photo
        .clone()
        .extract({ left: crop.x, top: crop.y, width: crop.width, height: crop.height })
        .resize(options.size, options.size, { fit: 'fill' })
        .raw()
        .toBuffer();
      collected.pixels.push(pixels);
      collected.samples.push({ file: imagePath, box, label, group: `photo:${stem}` });
      const key = classNames[label] as string;
      summary.loadedPerClass[key] = (summary.loadedPerClass[key] ?? 0) + 1;
    }
  }
}

const pairPattern = /^(\d+)(-with-mask)?$/;

async function loadFolders(
  dir: string,
  options: { size: number; limit?: number },
  summary: LoadSummary,
  collected: Collected,
): Promise<void> {
  const sharp = loadSharp('loadFaceMaskDataset');
  const folders = [
    { folder: 'with_mask', label: 0 },
    { folder: 'without_mask', label: 1 },
  ];
  const seen = new Map<string, string>();
  const pairSides = new Map<string, Set<number>>();
  for (const { folder, label } of folders) {
    const classDir = join(dir, folder);
    let files = (await listFolder(classDir, `the class folder`)).filter((f) =>
      imageExtensions.has(extname(f).toLowerCase()),
    );
    if (files.length === 0) {
      throw new MaskDetectorError({
        code: 'EMPTY_CLASS_FOLDER',
        message: `the class folder ${classDir} holds no .jpg/.jpeg/.png file; every class needs images`,
      });
    }
    if (options.limit !== undefined) files = files.slice(0, options.limit);
    const key = classNamesFor(2)[label] as string;
    for (const file of files) {
      const path = join(classDir, file);
      const bytes = await readFile(path);
      const hash = createHash('sha256').update(bytes).digest('hex');
      const earlier = seen.get(hash);
      if (earlier !== undefined) {
        summary.duplicatesDropped++;
        summary.warnings.push(`${path}: duplicate of ${earlier}, dropped`);
        continue;
      }
      let pixels: Buffer;
      try {
        pixels = await sharp(bytes, { failOn: 'truncated', limitInputPixels: maxImagePixels })
          .removeAlpha()
          .resize(options.size, options.size, { fit: 'fill' })
          .raw()
          .toBuffer();
      } catch (cause) {
        summary.skipped.unreadableImage++;
        summary.skippedPerClass[key] = (summary.skippedPerClass[key] ?? 0) + 1;
        summary.warnings.push(
          `${path}: unreadable or truncated image, or more than 8192 × 8192 pixels (${unreadableReason(cause)})`,
        );
        continue;
      }
      seen.set(hash, path);
      const pair = pairPattern.exec(basename(file, extname(file)));
      const group = pair ? `pair:${pair[1]}` : `file:${hash}`;
      if (pair) {
        const sides = pairSides.get(group) ?? new Set<number>();
        sides.add(label);
        pairSides.set(group, sides);
      }
      collected.pixels.push(pixels);
      collected.samples.push({ file: path, label, group });
      summary.loadedPerClass[key] = (summary.loadedPerClass[key] ?? 0) + 1;
    }
  }
  summary.pairsKeptTogether = [...pairSides.values()].filter((sides) => sides.size === 2).length;
}

/**
 * Loads a face-mask dataset from disk (Node only; images decoded with sharp) into tensors, with a
 * grouped stratified validation split.
 *
 * - `voc`: `dir/annotations/*.xml` (Pascal VOC) and `dir/images/`. Boxes are clamped to the image,
 *   boxes smaller than `minBoxSize` skipped, each face cropped with `margin` and resized.
 * - `folders`: `dir/with_mask/` and `dir/without_mask/`. Exact duplicates (sha256) are dropped
 *   before the split; `N.jpg` / `N-with-mask.jpg` pairs stay on one side.
 *
 * Unreadable images, XML without boxes, boxes outside the image and unknown classes are skipped
 * and counted in `summary`; the split never separates samples of one photo or pair.
 *
 * @throws {@link MaskDetectorError} `INVALID_OPTION`, `DATASET_NOT_FOUND`, `EMPTY_CLASS_FOLDER`, `NO_SAMPLES`
 */
export async function loadFaceMaskDataset(
  dir: string,
  options: LoadFaceMaskOptions,
): Promise<FaceMaskDataset> {
  const size = options.size ?? 64;
  const classes = options.classes ?? 2;
  const margin = options.margin ?? 0.1;
  const minBoxSize = options.minBoxSize ?? 10;
  if (options.format !== 'voc' && options.format !== 'folders') {
    throw invalid(`format must be "voc" or "folders", got "${String(options.format)}"`);
  }
  if (!Number.isInteger(size) || size < 8 || size > 512)
    throw invalid(`size must be a whole number in 8..512, got ${size}`);
  if (classes !== 2 && classes !== 3)
    throw invalid(`classes must be 2 or 3, got ${String(classes)}`);
  if (classes === 3 && options.format === 'folders') {
    throw invalid('the folders format has two classes (with_mask, without_mask); use classes: 2');
  }
  if (!(margin >= 0 && margin <= 1)) throw invalid(`margin must be in [0, 1], got ${margin}`);
  if (!(minBoxSize >= 0)) throw invalid(`minBoxSize must be ≥ 0, got ${minBoxSize}`);
  const classNames = classNamesFor(classes);
  const summary = emptySummary(classNames);
  const collected: Collected = { pixels: [], samples: [] };
  if (options.format === 'voc') {
    await loadVoc(
      dir,
      { format: 'voc', size, classes, margin, minBoxSize, limit: options.limit },
      summary,
      collected,
    );
  } else {
    await loadFolders(dir, { size, limit: options.limit }, summary, collected);
  }
  const n = collected.samples.length;
  if (n === 0) {
    throw new MaskDetectorError({
      code: 'NO_SAMPLES',
      message: `no usable sample in ${dir} (${summary.warnings.length} warning(s); first: ${summary.warnings[0] ?? 'none'})`,
    });
  }
  const pixelCount = size * size * 3;
  const values = new Float32Array(n * pixelCount);
  collected.pixels.forEach((pixels, i) => {
    for (let j = 0; j < pixelCount; j++) values[i * pixelCount + j] = (pixels[j] as number) / 255;
  });
  const labelIndices = Int32Array.from(collected.samples.map((sample) => sample.label));
  const split = groupedStratifiedSplit(
    labelIndices,
    collected.samples.map((sample) => sample.group),
    { validationFraction: options.validationFraction ?? 0.1, seed: options.seed ?? 0 },
  );
  return {
    images: tf.tensor4d(values, [n, size, size, 3]),
    labels: tf.tensor1d(labelIndices, 'int32'),
    labelIndices,
    classNames,
    samples: collected.samples,
    split,
    summary,
  };
}
