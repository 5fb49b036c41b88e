export {
  type DatasetName,
  type FileRole,
  type KnownDataset,
  type KnownFile,
  knownDatasets,
} from './known-files.js';
export type { Dataset, LabelledSet } from './labelled-set.js';
export { MnistLoaderError } from './loader-error.js';
export { type LoadMnistOptions, loadMnist } from './node/load-mnist.js';
export type { DownloadProgress } from './node/locate-file.js';
export { parseIdx } from './node/parse-idx.js';
export { type IdxArray, type IdxType, isGzip } from './parse-idx-bytes.js';
export {
  labelCounts,
  selectSamples,
  shuffledIndices,
  splitTrainValidation,
  subset,
} from './set-tools.js';
export { type BatchOptions, batches, type TensorOptions, toTensors } from './tensor-tools.js';
