import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  type DatasetName,
  type FileRole,
  type KnownDataset,
  knownDatasets,
} from '../known-files.js';
import { type Dataset, pairImagesWithLabels } from '../labelled-set.js';
import { MnistLoaderError } from '../loader-error.js';
import { type IdxArray, parseIdxBytes } from '../parse-idx-bytes.js';
import { gunzip } from './gunzip.js';
import { type DownloadProgress, locateFile } from './locate-file.js';

/** Where {@link loadMnist} looks and what it may do. */
export interface LoadMnistOptions {
  /** A known dataset name (default `mnist`), or a full description of another IDX dataset. */
  dataset?: DatasetName | KnownDataset;
  /** Folder with one sub-folder per dataset. Default: `$ACTLAB_DATA_DIR`. */
  dataDir?: string;
  /** Download cache. Default: `$XDG_CACHE_HOME/actlab` or `~/.cache/actlab`. */
  cacheDir?: string;
  /** System data folders. Default: `/usr/share/datasets` (Debian's dataset packages). */
  systemDirs?: string[];
  /** Mirrors to download from, in order. Default: the dataset's known mirrors. */
  mirrors?: string[];
  /** Download when no local copy verifies. Default true. */
  download?: boolean;
  /** Bytes received so far, per file, while downloading. */
  onProgress?: (progress: DownloadProgress) => void;
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'actlab');
}

function resolveDataset(dataset: LoadMnistOptions['dataset']): KnownDataset {
  if (dataset === undefined) return knownDatasets.mnist;
  if (typeof dataset === 'object') return dataset;
  const known = knownDatasets[dataset];
  if (!known) {
    throw new MnistLoaderError({
      code: 'UNKNOWN_DATASET',
      message: `unknown dataset "${String(dataset)}"; known datasets: ${Object.keys(knownDatasets).join(', ')}.`,
    });
  }
  return known;
}

/**
 * Loads a dataset's train and test splits. Each file is taken from the first source that has a
 * copy whose sha256 matches the known one: the data folder, the cache, the system folders, then
 * the mirrors (downloaded to a temp file, verified, renamed into the cache).
 *
 * @throws {@link MnistLoaderError} `DATASET_NOT_FOUND` (nothing local, download off),
 *   `DOWNLOAD_FAILED` (every mirror failed), `CHECKSUM_MISMATCH` (only bad copies found),
 *   `UNKNOWN_DATASET`, and the IDX format errors
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Dataset> {
  const dataset = resolveDataset(options.dataset);
  const dataDir = options.dataDir ?? process.env.ACTLAB_DATA_DIR;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const folders = [
    ...(dataDir ? [{ kind: 'data folder' as const, path: dataDir }] : []),
    { kind: 'cache' as const, path: cacheDir },
    ...(options.systemDirs ?? ['/usr/share/datasets']).map((path) => ({
      kind: 'system folder' as const,
      path,
    })),
  ];
  const sources = {
    folders,
    cacheDir,
    mirrors: options.mirrors ?? dataset.mirrors,
    download: options.download ?? true,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  // allSettled: no download keeps running in the background after the call has failed.
  const settled = await Promise.allSettled(
    dataset.files.map(async (file) => {
      const located = await locateFile(dataset, file, sources);
      if (!located.ok) {
        const onlyBadCopies = located.reasons.some((reason) => reason.includes('sha256'));
        const code = located.downloaded
          ? 'DOWNLOAD_FAILED'
          : onlyBadCopies
            ? 'CHECKSUM_MISMATCH'
            : 'DATASET_NOT_FOUND';
        throw new MnistLoaderError({
          code,
          message: [
            `${dataset.name}: no verified copy of ${file.name}. Looked at:`,
            ...located.reasons.map((reason) => `  - ${reason}`),
            `Put the original ${dataset.name} files in <folder>/${dataset.name}/ and set ACTLAB_DATA_DIR=<folder> (or pass dataDir)${sources.download ? '' : ', or allow downloads'}.`,
          ].join('\n'),
        });
      }
      return [
        file.role,
        parseIdxBytes(await gunzip(located.bytes, located.source), located.source),
      ] as const;
    }),
  );
  const failure = settled.find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  const parsed = settled.map(
    (outcome) => (outcome as PromiseFulfilledResult<readonly [FileRole, IdxArray]>).value,
  );
  const byRole = Object.fromEntries(parsed) as Record<FileRole, IdxArray>;
  return {
    train: pairImagesWithLabels(byRole.trainImages, byRole.trainLabels, `${dataset.name} train`),
    test: pairImagesWithLabels(byRole.testImages, byRole.testLabels, `${dataset.name} test`),
  };
}
