import { join } from 'node:path';
import { type FaceMaskDataset, loadFaceMaskDataset } from '@actlab/mask-detector';
import * as tf from '@tensorflow/tfjs-core';
import { StudyError } from '../engine/study-error.js';

/** The two face-mask sets of the study, in the order they are stacked. */
export const maskSets = ['face-mask-voc', 'face-mask'] as const;
/** One of {@link maskSets}. */
export type MaskSet = (typeof maskSets)[number];

/** What decides which crops a mask unit sees. */
export interface MaskDataSettings {
  size: number;
  limit: number | null;
  seed: number;
  margin: number;
  minBoxSize: number;
}

/** Both sets stacked into one tensor, with each set's split as indices into it. */
export interface MaskData {
  images: tf.Tensor4D;
  labels: number[];
  classNames: readonly string[];
  train: Record<MaskSet, number[]>;
  validation: Record<MaskSet, number[]>;
  /** Every sample of each set. */
  all: Record<MaskSet, number[]>;
  samples: FaceMaskDataset['samples'];
  /** Per set: what was loaded, clamped, skipped and split. */
  summaries: Record<MaskSet, Record<string, unknown>>;
}

const loaded = new Map<string, Promise<MaskData>>();

async function load(settings: MaskDataSettings, dataDir: string): Promise<MaskData> {
  const common = {
    size: settings.size,
    seed: settings.seed,
    ...(settings.limit !== null ? { limit: settings.limit } : {}),
  };
  const voc = await loadFaceMaskDataset(join(dataDir, 'face-mask-voc'), {
    format: 'voc',
    classes: 2,
    margin: settings.margin,
    minBoxSize: settings.minBoxSize,
    ...common,
  });
  const folders = await loadFaceMaskDataset(join(dataDir, 'face-mask'), {
    format: 'folders',
    ...common,
  });
  const offset = voc.samples.length;
  const images = tf.concat([voc.images, folders.images]) as tf.Tensor4D;
  tf.dispose([voc.images, folders.images, voc.labels, folders.labels]);
  const shift = (indices: number[]) => indices.map((index) => index + offset);
  const summary = (set: FaceMaskDataset) => {
    const { warnings, ...rest } = set.summary;
    return {
      ...rest,
      warnings: warnings.length,
      train: set.split.train.length,
      validation: set.split.validation.length,
    };
  };
  return {
    images,
    labels: [...voc.labelIndices, ...folders.labelIndices],
    classNames: voc.classNames,
    train: { 'face-mask-voc': voc.split.train, 'face-mask': shift(folders.split.train) },
    validation: {
      'face-mask-voc': voc.split.validation,
      'face-mask': shift(folders.split.validation),
    },
    all: {
      'face-mask-voc': voc.samples.map((_, i) => i),
      'face-mask': shift(folders.samples.map((_, i) => i)),
    },
    samples: [...voc.samples, ...folders.samples],
    summaries: { 'face-mask-voc': summary(voc), 'face-mask': summary(folders) },
  };
}

/**
 * Both face-mask sets as crops (loaded once per thread and settings).
 *
 * @throws {@link StudyError} `DATA_DIR_MISSING` without a data folder
 */
export function maskData(
  settings: MaskDataSettings,
  dataDir: string | undefined,
): Promise<MaskData> {
  if (!dataDir) {
    throw new StudyError({
      code: 'DATA_DIR_MISSING',
      message:
        'the mask-detector study needs the face-mask data: pass --data-dir or set ACTLAB_DATA_DIR (a folder with face-mask-voc/ and face-mask/)',
    });
  }
  // Only what decides the crops: a thread's models (and seeds) share one copy of them.
  const { size, limit, seed, margin, minBoxSize } = settings;
  const key = JSON.stringify([{ size, limit, seed, margin, minBoxSize }, dataDir]);
  let data = loaded.get(key);
  if (!data) {
    data = load({ size, limit, seed, margin, minBoxSize }, dataDir);
    loaded.set(key, data);
    data.catch(() => loaded.delete(key));
  }
  return data;
}
