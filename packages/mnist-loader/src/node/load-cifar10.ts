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
import { type Cifar10Subset, checkSubset } from '../cifar10/select-images.js';
import type { SourceFile } from '../known-files.js';
import type { Dataset } from '../labelled-set.js';
import { MnistLoaderError } from '../loader-error.js';
import { isGzip } from '../parse-idx-bytes.js';
import { fileSources, locateVerified, type SourceOptions } from './file-sources.js';
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

async function filesAt(path: string): Promise<NamedFile[]> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch (cause) {
    throw new MnistLoaderError({
      code: 'DATASET_NOT_FOUND',
      message: `${path} does not exist or cannot be read (${(cause as Error).message}); pass the folder or archive that holds CIFAR-10.`,
      cause,
    });
  }
  return isFolder ? filesOfFolder(path) : filesOfArchive(await readFile(path), path);
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
  let files: NamedFile[];
  let source: string;
  if (options.path) {
    files = await filesAt(options.path);
    source = options.path;
  } else {
    const archive =
      options.archive ?? (format === 'binary' ? cifar10BinaryArchive : cifar10JpegArchive);
    // The JPEG copy has no public mirror: never try to download it.
    const sources =
      format === 'binary'
        ? fileSources(options, [...cifar10Mirrors])
        : fileSources({ ...options, mirrors: [] }, []);
    const located = await locateVerified(cifar10FolderName, archive, sources);
    files = await filesOfArchive(located.bytes, located.source);
    source = located.source;
  }
  return format === 'binary'
    ? cifar10FromBatchFiles(files, source, subset ? selection : undefined)
    : datasetFromImageFolders(files, {
        classNames: cifar10ClassNames,
        height: 32,
        width: 32,
        source,
        ...(subset ? { selection } : {}),
      });
}
