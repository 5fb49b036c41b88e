import { tfjsSeed } from '@actlab/seeded-random';
import { initializers } from '@tensorflow/tfjs-layers';
import type { ActivationSpec } from './activation-spec-schema.js';
import { getActivation } from './registry.js';

/** Settings of {@link initializerFor}. */
export interface InitializerForOptions {
  /** Seed of the random weights; the same seed gives the same weights. */
  seed?: number;
}

/**
 * A kernel initializer for a layer followed by the activation: normal weights (truncated at two
 * standard deviations, as tfjs's He and LeCun initializers) with standard deviation
 * gain / √fan-in, where gain is the activation's own (`getActivation(spec).gain`: PyTorch's
 * `calculate_gain` where it defines one, else from the activation's second moment). For ReLU
 * (gain √2) this is exactly `heNormal`; for linear (gain 1) exactly `leCunNormal`.
 *
 * @param spec - the activation after the layer, e.g. `'tanh'` or `{name: 'leakyRelu', alpha: 0.1}`
 * @throws `ActivationError` `UNKNOWN_ACTIVATION` / `INVALID_PARAMETER` for a bad spec
 */
export function initializerFor(spec: ActivationSpec, options: InitializerForOptions = {}) {
  const { gain } = getActivation(spec);
  return initializers.varianceScaling({
    scale: gain * gain,
    mode: 'fanIn',
    distribution: 'normal',
    // tfjs would treat a seed of 0 as none and draw from Math.random().
    ...(options.seed === undefined ? {} : { seed: tfjsSeed(options.seed) }),
  });
}
