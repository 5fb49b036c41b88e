import { homedir } from 'node:os';
import { join } from 'node:path';
import { type DownloadProgress, defaultStallTimeoutMs } from '../download-progress.js';
import { type DatasetName, type KnownDataset, resolveDataset } from '../known-files.js';
import { assembleDataset, type Dataset } from '../labelled-set.js';
import { MnistLoaderError } from '../loader-error.js';
import { parseIdxBytes } from '../parse-idx-bytes.js';
import { gunzip } from './gunzip.js';
import { locateFile } from './locate-file.js';

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
  /** Drop a download (and try the next mirror) after this long without a byte. Default 30 000. */
  stallTimeoutMs?: number;
  /** Bytes received so far, per file, while downloading. */
  onProgress?: (progress: DownloadProgress) => void;
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'actlab');
}

/**
 * Loads a dataset's train and test splits. Each file is taken from the first source that has a
 * copy whose sha256 matches the known one: the data folder, the cache, the system folders, then
 * the mirrors (downloaded to a temp file, verified, renamed into the cache).
 *
 * @param options - which dataset, where to look, whether to download; all optional
 * @throws {@link MnistLoaderError} `CHECKSUM_MISMATCH` (a copy was found or received but its sha256
 *   is wrong, and no good one), `DOWNLOAD_FAILED` (nothing local and every mirror failed),
 *   `DATASET_NOT_FOUND` (nothing local, downloads off), `UNKNOWN_DATASET`, `GZIP_CORRUPT` and the
 *   IDX format errors
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Dataset> {
  const dataset = resolveDataset(options.dataset);
  const stallTimeoutMs = options.stallTimeoutMs ?? defaultStallTimeoutMs;
  if (!(stallTimeoutMs > 0)) {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `stallTimeoutMs must be a positive number of milliseconds, got ${stallTimeoutMs}.`,
    });
  }
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
    stallTimeoutMs,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  return assembleDataset(
    dataset.name,
    dataset.files.map(async (file) => {
      const located = await locateFile(dataset, file, sources);
      if (!located.ok) {
        // A copy with the wrong sha256 is the finding that matters most: say so first.
        const code = located.rejections.some((rejection) => rejection.badChecksum)
          ? 'CHECKSUM_MISMATCH'
          : located.downloaded
            ? 'DOWNLOAD_FAILED'
            : 'DATASET_NOT_FOUND';
        throw new MnistLoaderError({
          code,
          message: [
            `${dataset.name}: no verified copy of ${file.name}. Looked at:`,
            ...located.rejections.map((rejection) => `  - ${rejection.reason}`),
            `Put the original ${dataset.name} files in <folder>/${dataset.name}/ and set ACTLAB_DATA_DIR=<folder> (or pass dataDir)${sources.download ? '' : ', or allow downloads'}.`,
          ].join('\n'),
        });
      }
      const unpacked = await gunzip(located.bytes, located.source);
      return [file.role, parseIdxBytes(unpacked, located.source)] as const;
    }),
  );
}
