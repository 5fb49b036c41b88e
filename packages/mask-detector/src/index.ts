export {
  type FaceMaskDataset,
  type FaceSample,
  type LoadFaceMaskOptions,
  type LoadSummary,
  loadFaceMaskDataset,
} from './node/load-face-mask-dataset.js';
export { readModelFiles, saveModelFiles } from './node/model-files.js';
export { FaceDetector, shippedFaceDetectorPath } from './node-face-detector.js';
export {
  decodeImage,
  type ImageInput,
  MaskDetector,
  shippedModelPath,
} from './node-mask-detector.js';
// Node only: fast-xml-parser's module build imports fs, path and stream.
export { parseVocAnnotation, type VocAnnotation, type VocObject } from './parse-voc.js';
export * from './platform-neutral.js';
