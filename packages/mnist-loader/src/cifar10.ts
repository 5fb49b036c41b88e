// The `@actlab/mnist-loader/cifar10` entry: CIFAR-10 in Node, on the same verified sources,
// cache and set tools as MNIST.
export {
  cifar10BinaryArchive,
  cifar10ClassNames,
  cifar10JpegArchive,
  cifar10Mirrors,
} from './cifar10/cifar10-files.js';
export { datasetFromImageFolders, type ImageFolderOptions } from './cifar10/image-folders.js';
export { cifar10FromBatchFiles, parseCifar10Batch } from './cifar10/parse-cifar10-binary.js';
export { type NamedFile, readTar } from './cifar10/read-tar.js';
export type { Cifar10Subset } from './cifar10/select-images.js';
export { type LoadCifar10Options, loadCifar10 } from './node/load-cifar10.js';
