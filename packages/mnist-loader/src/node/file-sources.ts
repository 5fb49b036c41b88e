import { homedir } from 'node:os';
import { join } from 'node:path';
import { type DownloadProgress, defaultStallTimeoutMs } from '../download-progress.js';
import type { SourceFile } from '../known-files.js';
import { MnistLoaderError } from '../loader-error.js';
import { type FileSources, locateFile } from './locate-file.js';

/** Where a Node loader looks for its files and whether it may download them. */
export interface SourceOptions {
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

/** `$XDG_CACHE_HOME/actlab`, else `~/.cache/actlab`. */
export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'actlab');
}

/**
 * The places to look in, in order (data folder, cache, system folders), and the mirrors.
 *
 * @throws {@link MnistLoaderError} `INVALID_OPTION` for a stall timeout that is not > 0
 */
export function fileSources(options: SourceOptions, defaultMirrors: string[]): FileSources {
  const stallTimeoutMs = options.stallTimeoutMs ?? defaultStallTimeoutMs;
  if (!(stallTimeoutMs > 0)) {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `stallTimeoutMs must be a positive number of milliseconds, got ${stallTimeoutMs}.`,
    });
  }
  const dataDir = options.dataDir ?? process.env.ACTLAB_DATA_DIR;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  return {
    folders: [
      ...(dataDir ? [{ kind: 'data folder' as const, path: dataDir }] : []),
      { kind: 'cache' as const, path: cacheDir },
      ...(options.systemDirs ?? ['/usr/share/datasets']).map((path) => ({
        kind: 'system folder' as const,
        path,
      })),
    ],
    cacheDir,
    mirrors: options.mirrors ?? defaultMirrors,
    download: options.download ?? true,
    stallTimeoutMs,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}

/**
 * A file's verified bytes from the first source that has a good copy.
 *
 * @throws {@link MnistLoaderError} `CHECKSUM_MISMATCH` (a copy was found or received but its
 *   sha256 is wrong, and no good one), `DOWNLOAD_FAILED` (nothing local and every mirror failed),
 *   `DATASET_NOT_FOUND` (nothing local, downloads off); the message lists every place looked at
 */
export async function locateVerified(
  datasetName: string,
  file: SourceFile,
  sources: FileSources,
): Promise<{ bytes: Uint8Array; source: string }> {
  const located = await locateFile({ name: datasetName }, file, sources);
  if (located.ok) return located;
  // A copy with the wrong sha256 is the finding that matters most: say so first.
  const code = located.rejections.some((rejection) => rejection.badChecksum)
    ? 'CHECKSUM_MISMATCH'
    : located.downloaded
      ? 'DOWNLOAD_FAILED'
      : 'DATASET_NOT_FOUND';
  throw new MnistLoaderError({
    code,
    message: [
      `${datasetName}: no verified copy of ${file.name}. Looked at:`,
      ...located.rejections.map((rejection) => `  - ${rejection.reason}`),
      `Put the original ${datasetName} files in <folder>/${datasetName}/ and set ACTLAB_DATA_DIR=<folder> (or pass dataDir)${sources.download ? '' : ', or allow downloads'}.`,
    ].join('\n'),
  });
}
