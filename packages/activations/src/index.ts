export type { Activation, ActivationParameters } from './activation.js';
export { ActivationError, type ActivationErrorCode } from './activation-error.js';
export { type ActivationSpec, activationSpecSchema } from './activation-spec-schema.js';
export { type InitializerForOptions, initializerFor } from './initializer-for.js';
export { formatInterval, type Interval, intervalContains } from './interval.js';
export { type ActivationLayerOptions, activationLayer } from './layers/activation-layer.js';
export { ActlabActivation, type ActlabActivationArgs } from './layers/actlab-activation.js';
export { LearnableLinear, type LearnableLinearArgs } from './layers/learnable-linear.js';
export { LearnablePReLU, type LearnablePReLUArgs } from './layers/learnable-prelu.js';
export { LearnableSwish, type LearnableSwishArgs } from './layers/learnable-swish.js';
export { type LearnedParameters, learnedParameters } from './layers/learned-parameters.js';
export { RationalActivation, type RationalActivationArgs } from './layers/rational-activation.js';
export {
  activationNames,
  activations,
  getActivation,
  learnableActivationNames,
} from './registry.js';
export {
  type ActivationSample,
  type SampleOptions,
  sampleActivation,
} from './sample-activation.js';
