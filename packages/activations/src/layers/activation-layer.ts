import type { layers } from '@tensorflow/tfjs-layers';
import { ActivationError } from '../activation-error.js';
import type { ActivationSpec } from '../activation-spec-schema.js';
import {
  activationNames,
  activationSpecOf,
  getActivation,
  learnableActivationNames,
} from '../registry.js';
import { ActlabActivation } from './actlab-activation.js';
import { LearnableLinear, type LearnableLinearArgs } from './learnable-linear.js';
import { LearnablePReLU, type LearnablePReLUArgs } from './learnable-prelu.js';
import { LearnableSwish, type LearnableSwishArgs } from './learnable-swish.js';
import { RationalActivation, type RationalActivationArgs } from './rational-activation.js';

/** tfjs-layers' own layer settings that every activation layer accepts. */
const layerKeys = ['name', 'inputShape', 'batchInputShape', 'trainable'] as const;

/**
 * Layer settings (`name`, `inputShape`, `batchInputShape`, `trainable`) plus either the fixed
 * activation's parameters (`{alpha: 0.1}` for leakyRelu, as in `getActivation(name, parameters)`)
 * or the learnable activation's own settings (initial values, `perUnit`, `shared`).
 */
export type ActivationLayerOptions = {
  name?: string;
  inputShape?: number[];
  batchInputShape?: (number | null)[];
  trainable?: boolean;
} & Partial<
  LearnableLinearArgs & LearnablePReLUArgs & LearnableSwishArgs & RationalActivationArgs
> &
  Record<string, unknown>;

const learnableLayers = {
  learnableLinear: {
    keys: ['k0', 'k1', 'perUnit'],
    make: (args: object) => new LearnableLinear(args),
  },
  prelu: { keys: ['alpha', 'shared'], make: (args: object) => new LearnablePReLU(args) },
  learnableSwish: {
    keys: ['beta', 'perUnit'],
    make: (args: object) => new LearnableSwish(args),
  },
  rational: {
    keys: ['numerator', 'denominator'],
    make: (args: object) => new RationalActivation(args),
  },
} satisfies Record<
  (typeof learnableActivationNames)[number],
  { keys: string[]; make: (args: object) => layers.Layer }
>;

function split(options: Record<string, unknown>) {
  const layerArgs: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if ((layerKeys as readonly string[]).includes(key)) layerArgs[key] = value;
    else rest[key] = value;
  }
  return { layerArgs, rest };
}

/**
 * A tfjs-layers layer for any activation, fixed or learnable, ready for `model.add`. Every
 * layer it returns is registered for serialization.
 *
 * @param spec - a fixed activation (name or `{name, ...parameters}`), or one of
 *   `learnableLinear`, `prelu`, `learnableSwish`, `rational` (optionally with initial values:
 *   `{name: 'prelu', alpha: 0.1}`)
 * @param options - layer settings, plus the activation's parameters or the learnable layer's
 *   settings; they take precedence over those in `spec`
 * @throws {@link ActivationError} `UNKNOWN_ACTIVATION` for an unknown name (the message lists the
 *   valid ones), `INVALID_PARAMETER` for a setting the activation does not have or a bad value
 */
export function activationLayer(
  spec: ActivationSpec,
  options: ActivationLayerOptions = {},
): layers.Layer {
  const { name, ...fromSpec } = typeof spec === 'string' ? { name: spec } : spec;
  const { layerArgs, rest } = split(options);
  const settings = { ...fromSpec, ...rest };
  if (typeof name === 'string' && Object.hasOwn(learnableLayers, name)) {
    const learnable = learnableLayers[name as keyof typeof learnableLayers];
    const unknown = Object.keys(settings).filter((key) => !learnable.keys.includes(key));
    if (unknown.length > 0) {
      throw new ActivationError({
        code: 'INVALID_PARAMETER',
        message: `${name} has no setting ${unknown.map((key) => `"${key}"`).join(', ')}; its settings are: ${[...learnable.keys, ...layerKeys].join(', ')}.`,
      });
    }
    return learnable.make({ ...settings, ...layerArgs });
  }
  if (typeof name === 'string' && !activationNames.includes(name)) {
    throw new ActivationError({
      code: 'UNKNOWN_ACTIVATION',
      message: `unknown activation "${name}". Valid names: ${activationNames.join(', ')}; learnable: ${learnableActivationNames.join(', ')}.`,
    });
  }
  // getActivation validates the name and every parameter (and names the valid ones).
  const activation = getActivation({ name, ...settings } as ActivationSpec);
  return new ActlabActivation({ ...layerArgs, activation: activationSpecOf(activation) });
}
