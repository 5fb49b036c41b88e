import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  cifar10BinaryArchive,
  cifar10ClassNames,
  cifar10FolderName,
  cifar10JpegArchive,
  cifar10Mirrors,
} from '../cifar10/cifar10-files.js';
import { datasetFromImageFolders } from '../cifar10/image-folders.js';
import { cifar10FromBatchFiles } from '../cifar10/parse-cifar10-binary.js';
import { type NamedFile, readTar } from '../cifar10/read-tar.js';
import { type Cifar10Subset, checkSubset, selectRecords } from '../cifar10/select-images.js';
import type { SourceFile } from '../known-files.js';
import type { Dataset } from '../labelled-set.js';
import { MnistLoaderError } from '../loader-error.js';
import { isGzip } from '../parse-idx-bytes.js';
import { decodedCachePath, readDecodedCache, writeDecodedCache } from './decoded-cache.js';
import {
  defaultCacheDir,
  fileSources,
  locateVerified,
  type SourceOptions,
} from './file-sources.js';
import { gunzip } from './gunzip.js';

/** What {@link loadCifar10} reads and where it looks. */
export interface LoadCifar10Options extends SourceOptions, Cifar10Subset {
  /**
   * `binary` (default): the official release's batch files. `images`: PNG or JPEG files in
   * `train/<class>/*` and `test/<class>/*`.
   */
  format?: 'binary' | 'images';
  /**
   * A folder or a `.tar` / `.tar.gz` archive to read as is (not checksummed). Without it the
   * known archive is located and verified: `cifar-10-binary.tar.gz` (data folder, cache, system
   * folders, then the mirrors) or, for `images`, the JPEG copy `cifar-10-images.tar.gz` (local
   * folders only).
   */
  path?: string;
  /** Another archive to locate instead of the known one (its name and sha256). */
  archive?: SourceFile;
  /**
   * For `images` read from an archive: keep the decoded pixels and labels after a full decode in
   * `<cacheDir>/cifar-10/decoded/<sha256 of the archive>-<decoder id>.bin` (written atomically,
   * checked by sha256 on read, rebuilt when damaged) and read them from there next time, also for
   * `limit` / `classes`. Default true; `false` neither reads nor writes it.
   */
  decodedCache?: boolean;
}

async function filesOfFolder(folder: string): Promise<NamedFile[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files: NamedFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.push({ path: relative(folder, path).split(sep).join('/'), bytes: await readFile(path) });
  }
  return files;
}

async function filesOfArchive(bytes: Uint8Array, source: string): Promise<NamedFile[]> {
  return readTar(isGzip(bytes) ? await gunzip(bytes, source) : bytes, source);
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (cause) {
    throw new MnistLoaderError({
      code: 'DATASET_NOT_FOUND',
      message: `${path} does not exist or cannot be read (${(cause as Error).message}); pass the folder or archive that holds CIFAR-10.`,
      cause,
    });
  }
}

/**
 * Loads CIFAR-10's 50 000 train and 10 000 test images (32×32 RGB, labels 0–9 in CIFAR order,
 * {@link cifar10ClassNames}) as `{train, test}` sets with `channels: 3`; `toTensors` makes
 * float32 [n, 32, 32, 3] in [0, 1] of them and `batches` cuts them, as for MNIST.
 *
 * With `limit` and `classes` only the chosen images are decoded: the first of each chosen class
 * (by file number, or in record order for the batch files), balanced across the classes.
 *
 * @param options - format, an explicit folder or archive, or where to look for the known one;
 *   `limit` and `classes`
 * @throws {@link MnistLoaderError} `DATASET_NOT_FOUND`, `DOWNLOAD_FAILED`, `CHECKSUM_MISMATCH`
 *   (as `loadMnist`), `GZIP_CORRUPT`, `GZIP_TOO_LARGE` (over 1 GiB unpacked), `ARCHIVE_CORRUPT`, `CIFAR_MISSING_BATCH`,
 *   `CIFAR_BAD_RECORD_LENGTH`, `LABEL_OUT_OF_RANGE`, `UNKNOWN_CLASS_FOLDER`, `IMAGE_FOLDERS_EMPTY`,
 *   `BAD_IMAGE_SIZE`, `IMAGE_DECODE_FAILED`, `INVALID_OPTION`
 */
export async function loadCifar10(options: LoadCifar10Options = {}): Promise<Dataset> {
  const format = options.format ?? 'binary';
  if (format !== 'binary' && format !== 'images') {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `format must be 'binary' or 'images', got ${String(format)}.`,
    });
  }
  const selection = checkSubset(options, cifar10ClassNames);
  const subset = options.limit !== undefined || options.classes !== undefined;
  if (options.decodedCache !== undefined && typeof options.decodedCache !== 'boolean') {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `decodedCache must be true or false, got ${String(options.decodedCache)}.`,
    });
  }
  // An archive's bytes and sha256 (known once verified, else computed), or a folder's files.
  let archive: { bytes: Uint8Array; sha256: string | undefined } | undefined;
  let files: NamedFile[] | undefined;
  let source: string;
  if (options.path) {
    source = options.path;
    if (await isFolder(options.path)) files = await filesOfFolder(options.path);
    else archive = { bytes: await readFile(options.path), sha256: undefined };
  } else {
    const known =
      options.archive ?? (format === 'binary' ? cifar10BinaryArchive : cifar10JpegArchive);
    // The JPEG copy has no public mirror: never try to download it.
    const sources =
      format === 'binary'
        ? fileSources(options, [...cifar10Mirrors])
        : fileSources({ ...options, mirrors: [] }, []);
    const located = await locateVerified(cifar10FolderName, known, sources);
    archive = { bytes: located.bytes, sha256: known.sha256 };
    source = located.source;
  }
  if (format === 'binary') {
    files ??= await filesOfArchive((archive as { bytes: Uint8Array }).bytes, source);
    return cifar10FromBatchFiles(files, source, subset ? selection : undefined);
  }
  let cachePath: string | undefined;
  if (archive && options.decodedCache !== false) {
    const sha256 = archive.sha256 ?? createHash('sha256').update(archive.bytes).digest('hex');
    cachePath = decodedCachePath(options.cacheDir ?? defaultCacheDir(), sha256);
    const cached = await readDecodedCache(cachePath, sha256);
    if (cached) {
      return subset
        ? {
            train: selectRecords(cached.train, selection),
            test: selectRecords(cached.test, selection),
          }
        : cached;
    }
    archive.sha256 = sha256;
  }
  files ??= await filesOfArchive((archive as { bytes: Uint8Array }).bytes, source);
  const data = datasetFromImageFolders(files, {
    classNames: cifar10ClassNames,
    height: 32,
    width: 32,
    source,
    ...(subset ? { selection } : {}),
  });
  if (cachePath && !subset) {
    // A cache that cannot be written (read-only home, full disk) only costs the next load time.
    await writeDecodedCache(cachePath, archive?.sha256 as string, data).catch(() => {});
  }
  return data;
}
