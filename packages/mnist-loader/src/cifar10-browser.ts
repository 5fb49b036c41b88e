// The `@actlab/mnist-loader/cifar10/browser` entry: CIFAR-10's binary release over fetch, verified
// and cached like the MNIST files. No Node imports and no TensorFlow.js import.
import { type BrowserLoadOptions, fetchVerified, gunzip } from './browser.js';
import {
  cifar10BinaryArchive,
  cifar10ClassNames,
  cifar10FolderName,
} from './cifar10/cifar10-files.js';
import { cifar10FromBatchFiles } from './cifar10/parse-cifar10-binary.js';
import { readTar } from './cifar10/read-tar.js';
import { type Cifar10Subset, checkSubset } from './cifar10/select-images.js';
import type { SourceFile } from './known-files.js';
import type { Dataset } from './labelled-set.js';

export {
  cifar10BinaryArchive,
  cifar10ClassNames,
  cifar10JpegArchive,
  cifar10Mirrors,
} from './cifar10/cifar10-files.js';
export { cifar10FromBatchFiles, parseCifar10Batch } from './cifar10/parse-cifar10-binary.js';
export { type NamedFile, readTar } from './cifar10/read-tar.js';
export type { Cifar10Subset } from './cifar10/select-images.js';

/** Where {@link loadCifar10} fetches from in a browser. */
export interface BrowserCifar10Options extends Omit<BrowserLoadOptions, 'dataset'>, Cifar10Subset {
  /** Another archive to fetch instead of `cifar-10-binary.tar.gz` (its name and sha256). */
  archive?: SourceFile;
}

/**
 * Loads CIFAR-10 in a browser from `<baseUrl>cifar-10/cifar-10-binary.tar.gz` (serve the original
 * archive from your own site): verified with Web Crypto, kept in the Cache API once verified,
 * unpacked with `DecompressionStream`. Labels follow {@link cifar10ClassNames}; take `toTensors`
 * and `batches` from `@actlab/mnist-loader/tensors`.
 *
 * `limit` and `classes` keep the first records of each chosen class, balanced (see
 * {@link Cifar10Subset}).
 *
 * @param options - where the archive is served, caching and progress; `limit`, `classes`
 * @throws {@link MnistLoaderError} `DATASET_NOT_FOUND` (HTTP 404), `DOWNLOAD_FAILED`,
 *   `CHECKSUM_MISMATCH`, `CHECKSUM_UNAVAILABLE`, `GZIP_CORRUPT`, `ARCHIVE_CORRUPT`,
 *   `CIFAR_MISSING_BATCH`, `CIFAR_BAD_RECORD_LENGTH`, `LABEL_OUT_OF_RANGE`, `INVALID_OPTION`
 */
export async function loadCifar10(options: BrowserCifar10Options): Promise<Dataset> {
  const selection = checkSubset(options, cifar10ClassNames);
  const subset = options.limit !== undefined || options.classes !== undefined;
  const archive = options.archive ?? cifar10BinaryArchive;
  const bytes = await fetchVerified({ name: cifar10FolderName }, archive, options);
  const files = await readTar(await gunzip(bytes, archive.name), archive.name);
  return cifar10FromBatchFiles(files, archive.name, subset ? selection : undefined);
}
