export { type ActivationJudge, judgeFor } from './activation-judge.js';
export {
  createGradientRecorder,
  GradientProbeCallback,
  type GradientRecorder,
  gradientProbeCallback,
  type ProbeRecord,
  type RecorderOptions,
} from './gradient-recorder.js';
export { GradientProbeError } from './probe-error.js';
export {
  type ActivationStatistics,
  type GradientProbe,
  type LayerProbe,
  type ProbeLoss,
  type ProbeOptions,
  probeGradients,
  type WeightGradient,
} from './probe-gradients.js';
export {
  activationBins,
  logBins,
  type ValueStatistics,
  valueStatistics,
} from './tensor-statistics.js';
