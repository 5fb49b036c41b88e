import { type DatasetName, type KnownDataset, resolveDataset } from '../known-files.js';
import { assembleDataset, type Dataset } from '../labelled-set.js';
import { parseIdxBytes } from '../parse-idx-bytes.js';
import { fileSources, locateVerified, type SourceOptions } from './file-sources.js';
import { gunzipIdx } from './gunzip.js';

/** Where {@link loadMnist} looks and what it may do. */
export interface LoadMnistOptions extends SourceOptions {
  /** A known dataset name (default `mnist`), or a full description of another IDX dataset. */
  dataset?: DatasetName | KnownDataset;
}

/**
 * Loads a dataset's train and test splits. Each file is taken from the first source that has a
 * copy whose sha256 matches the known one: the data folder, the cache, the system folders, then
 * the mirrors (downloaded to a temp file, verified, renamed into the cache).
 *
 * @param options - which dataset, where to look, whether to download; all optional
 * @throws {@link MnistLoaderError} `CHECKSUM_MISMATCH` (a copy was found or received but its sha256
 *   is wrong, and no good one), `DOWNLOAD_FAILED` (nothing local and every mirror failed),
 *   `DATASET_NOT_FOUND` (nothing local, downloads off), `UNKNOWN_DATASET`, `GZIP_CORRUPT`, `GZIP_TOO_LARGE` and the
 *   IDX format errors
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Dataset> {
  const dataset = resolveDataset(options.dataset);
  const sources = fileSources(options, dataset.mirrors);
  return assembleDataset(
    dataset.name,
    dataset.files.map(async (file) => {
      const located = await locateVerified(dataset.name, file, sources);
      const unpacked = await gunzipIdx(located.bytes, located.source);
      return [file.role, parseIdxBytes(unpacked, located.source)] as const;
    }),
  );
}
