import type { layers } from '@tensorflow/tfjs-layers';
import { ActivationError } from '../activation-error.js';
import {
  type ActivationSpec,
  activationNames,
  getActivation,
  learnableActivationNames,
} from '../registry.js';
import { ActlabActivation } from './actlab-activation.js';
import { LearnableLinear, type LearnableLinearArgs } from './learnable-linear.js';
import { LearnablePReLU, type LearnablePReLUArgs } from './learnable-prelu.js';
import { LearnableSwish, type LearnableSwishArgs } from './learnable-swish.js';
import { RationalActivation, type RationalActivationArgs } from './rational-activation.js';

/** Layer settings: tfjs-layers' usual ones plus, for learnable activations, their own. */
export type ActivationLayerOptions = {
  name?: string;
  inputShape?: number[];
  trainable?: boolean;
} & Partial<LearnableLinearArgs & LearnablePReLUArgs & LearnableSwishArgs & RationalActivationArgs>;

/**
 * A tfjs-layers layer for any activation, fixed or learnable, ready for `model.add`. Every
 * layer it returns is registered for serialization.
 *
 * @param spec - a fixed activation (name or `{name, ...parameters}`), or one of
 *   `learnableLinear`, `prelu`, `learnableSwish`, `rational`
 * @param options - layer name, input shape, and the learnable activation's initial values
 * @throws {@link ActivationError} for an unknown name or bad parameters
 */
export function activationLayer(
  spec: ActivationSpec,
  options: ActivationLayerOptions = {},
): layers.Layer {
  const name = typeof spec === 'string' ? spec : spec.name;
  switch (name) {
    case 'learnableLinear':
      return new LearnableLinear(options);
    case 'prelu':
      return new LearnablePReLU(options);
    case 'learnableSwish':
      return new LearnableSwish(options);
    case 'rational':
      return new RationalActivation(options);
  }
  if (!activationNames.includes(name)) {
    throw new ActivationError({
      code: 'UNKNOWN_ACTIVATION',
      message: `unknown activation "${name}". Valid names: ${activationNames.join(', ')}; learnable: ${learnableActivationNames.join(', ')}.`,
    });
  }
  getActivation(spec);
  const { name: layerName, inputShape, trainable } = options;
  return new ActlabActivation({
    activation: spec,
    ...(layerName ? { name: layerName } : {}),
    ...(inputShape ? { inputShape } : {}),
    ...(trainable !== undefined ? { trainable } : {}),
  });
}
