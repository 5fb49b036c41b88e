// Node only: reading and writing model files on disk (node:fs).
export {
  loadClassifier,
  loadMnistClassifier,
  saveClassifier,
  shippedModelDir,
} from './node/classifier-files.js';
