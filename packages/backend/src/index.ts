export {
  analyzeDenseStack,
  type DenseStackAnalysis,
  type FusedActivation,
  type FusedDenseLayer,
} from './analyze-dense-stack.js';
export { BackendError } from './backend-error.js';
export { convKernelNames, useConvKernels } from './conv-kernels.js';
export type { DenseKernelsRequest } from './dense-kernels.js';
export {
  createDenseTrainer,
  type DenseTrainer,
  type DenseTrainerOptions,
  type DenseTrainerState,
  type EpochResult,
  type SampleMatrix,
  type TrainEpochOptions,
} from './dense-trainer.js';
export { useFastKernels } from './fast-kernels.js';
export type { OptimizerSpec } from './optimizer-spec.js';
export {
  type BackendChoice,
  type BackendRequest,
  type SelectBackendOptions,
  selectBackend,
} from './select-backend.js';
export type { SparseInputMode } from './sparse-input.js';
export { registerWasmConv2DBackpropFilter } from './wasm-conv-gradient.js';
