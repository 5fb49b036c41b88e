export {
  type ActivationJudge,
  judgeActivation,
  type SaturationThreshold,
} from './activation-judge.js';
export { type ActivationStatistics, activationBins } from './activation-statistics.js';
export { GradientProbeCallback, gradientProbeCallback } from './gradient-probe-callback.js';
export {
  createGradientRecorder,
  type GradientRecorder,
  type GradientSeries,
  type ProbeRecord,
  type ProbeSchedule,
  type RecorderOptions,
} from './gradient-recorder.js';
export { type LayerActivation, layerActivation } from './layer-activation.js';
export { GradientProbeError, type GradientProbeErrorCode } from './probe-error.js';
export {
  type GradientProbe,
  type LayerProbe,
  type ProbeObjective,
  type ProbeOptions,
  type ProbeTarget,
  probeGradients,
  type WeightGradient,
} from './probe-gradients.js';
export {
  type ProbeLoss,
  type ProbeLossFunction,
  type ProbeLossName,
  probeLossNames,
} from './probe-loss.js';
export { logBins, type ValueStatistics } from './tensor-statistics.js';
