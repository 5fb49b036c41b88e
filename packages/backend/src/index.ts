export {
  analyzeDenseStack,
  type DenseStackAnalysis,
  type FusedActivation,
  type FusedDenseLayer,
} from './analyze-dense-stack.js';
export { BackendError, type BackendErrorCode } from './backend-error.js';
export { convKernelNames, convKernelsInUse, useConvKernels } from './conv-kernels.js';
export {
  createTrainer,
  type Trainer,
  type TrainerOptions,
  type TrainerRequest,
} from './create-trainer.js';
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
export {
  createTfjsOptimizer,
  type OptimizerName,
  type OptimizerSpec,
  optimizerSpecSchema,
} from './optimizer-spec.js';
export {
  type BackendChoice,
  type BackendRequest,
  type SelectBackendOptions,
  selectBackend,
} from './select-backend.js';
export type { SparseInputMode } from './sparse-input.js';
export {
  decodeTensor,
  decodeTrainerState,
  type EncodedTensor,
  type EncodedTrainerState,
  encodeTensor,
  encodeTrainerState,
  type StateTensor,
  type TrainerKind,
  type TrainerState,
} from './trainer-state.js';
export { registerWasmConv2DBackpropFilter } from './wasm-conv-gradient.js';
