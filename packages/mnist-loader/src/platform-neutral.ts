// What both entry points export: everything that runs the same in Node and in a browser.
export type { DownloadProgress } from './download-progress.js';
export {
  type DatasetName,
  type FileRole,
  type KnownDataset,
  type KnownFile,
  knownDatasets,
} from './known-files.js';
export type { Dataset, LabelledSet } from './labelled-set.js';
export { MnistLoaderError, type MnistLoaderErrorCode } from './loader-error.js';
export { type IdxArray, type IdxType, isGzip } from './parse-idx-bytes.js';
export {
  labelCounts,
  selectSamples,
  shuffledIndices,
  splitTrainValidation,
  subset,
  take,
} from './set-tools.js';
