import type { FileRole } from './known-files.js';
import { MnistLoaderError } from './loader-error.js';
import type { IdxArray } from './parse-idx-bytes.js';

/** Images and labels of one split: uint8 pixels row-major, one label per image. */
export interface LabelledSet {
  /** count × height × width × channels bytes, 0–255, channels interleaved (HWC). */
  images: Uint8Array;
  /** count labels, 0–9. */
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  /** Values per pixel: 1 (grey, the default when absent) or 3 (RGB, e.g. CIFAR-10). */
  channels?: number;
}

/** The train and test splits of a dataset. */
export interface Dataset {
  train: LabelledSet;
  test: LabelledSet;
}

/**
 * Pairs an images IDX array [n, h, w] (u8) with a labels IDX array [n] (u8).
 *
 * @throws {@link MnistLoaderError} `IDX_SIZE_MISMATCH` for wrong shapes or types,
 *   `LABEL_COUNT_MISMATCH` when the counts differ
 */
export function pairImagesWithLabels(
  images: IdxArray,
  labels: IdxArray,
  source: string,
): LabelledSet {
  if (images.type !== 'u8' || images.dims.length !== 3) {
    throw new MnistLoaderError({
      code: 'IDX_SIZE_MISMATCH',
      message: `${source}: expected images as u8 of shape [n, height, width], got ${images.type} [${images.dims.join(', ')}].`,
    });
  }
  if (labels.type !== 'u8' || labels.dims.length !== 1) {
    throw new MnistLoaderError({
      code: 'IDX_SIZE_MISMATCH',
      message: `${source}: expected labels as u8 of shape [n], got ${labels.type} [${labels.dims.join(', ')}].`,
    });
  }
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new MnistLoaderError({
      code: 'LABEL_COUNT_MISMATCH',
      message: `${source}: ${count} images but ${labels.dims[0]} labels; the files do not belong together.`,
    });
  }
  return {
    images: images.data as Uint8Array,
    labels: labels.data as Uint8Array,
    count,
    height,
    width,
  };
}

/**
 * Waits for the four parsed files of a dataset and pairs them into train and test sets. Every
 * file is waited for, even after one failed, so no download goes on after the call has returned.
 *
 * @throws the first file's error, or {@link MnistLoaderError} from {@link pairImagesWithLabels}
 */
export async function assembleDataset(
  datasetName: string,
  parts: Promise<readonly [FileRole, IdxArray]>[],
): Promise<Dataset> {
  const settled = await Promise.allSettled(parts);
  const byRole: Partial<Record<FileRole, IdxArray>> = {};
  for (const outcome of settled) {
    if (outcome.status === 'rejected') throw outcome.reason;
    byRole[outcome.value[0]] = outcome.value[1];
  }
  const part = (role: FileRole): IdxArray => {
    const array = byRole[role];
    if (!array) {
      throw new MnistLoaderError({
        code: 'INVALID_OPTION',
        message: `the ${datasetName} description has no ${role} file; it needs trainImages, trainLabels, testImages and testLabels.`,
      });
    }
    return array;
  };
  return {
    train: pairImagesWithLabels(part('trainImages'), part('trainLabels'), `${datasetName} train`),
    test: pairImagesWithLabels(part('testImages'), part('testLabels'), `${datasetName} test`),
  };
}
