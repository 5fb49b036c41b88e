export {
  boxIoU,
  type ClampedBox,
  clampBox,
  cropWithMargin,
  type FaceBox,
} from './box-geometry.js';
export { buildMaskModel, type MaskModelOptions } from './build-mask-model.js';
export {
  type ClassificationMetrics,
  type ClassMetrics,
  classificationMetrics,
} from './classification-metrics.js';
export {
  type CalibrationSample,
  calibrateFaceBox,
  calibrationFeatureCount,
  calibrationFeatures,
  type FaceBoxCalibration,
  type FaceKeypoints,
  fitFaceBoxCalibration,
  identityCalibration,
} from './face-box-calibration.js';
export {
  defaultFaceDetectionOptions,
  type FaceCandidate,
  type FaceDetectionOptions,
} from './face-detector.js';
export {
  type GroupedSplitOptions,
  groupedStratifiedSplit,
  type SplitIndices,
} from './grouped-split.js';
export {
  type ClassMode,
  classNamesFor,
  labelIndex,
  type MaskLabel,
  twoClassNames,
  vocClassNames,
} from './labels.js';
export type {
  DetectedFace,
  MaskDetectorLoadOptions,
  MaskDetectorOptions,
  MaskPrediction,
  PhotoInput,
} from './mask-detector.js';
export { MaskDetectorError, type MaskDetectorErrorCode } from './mask-detector-error.js';
export { type BatchPredictions, outputToProbabilities, predictBatches } from './predict-batches.js';
export type { ScoredBox } from './suppress-overlaps.js';
export {
  type EpochRecord,
  type MaskTrainingState,
  type TrainingData,
  type TrainingHistory,
  type TrainMaskModelOptions,
  trainMaskModel,
} from './train-mask-model.js';
export { vocFaceBoxCalibration } from './voc-face-box-calibration.js';
