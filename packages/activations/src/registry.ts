import * as tf from '@tensorflow/tfjs-core';
import type { Activation, ActivationDefinition, ActivationParameters } from './activation.js';
import { ActivationError } from './activation-error.js';
import type { ActivationSpec } from './activation-spec-schema.js';
import * as rectifiers from './definitions/rectifiers.js';
import * as smooth from './definitions/smooth.js';
import * as squashing from './definitions/squashing.js';
import { type Interval, intervalContains } from './interval.js';
import { intervalsWhere, secondMomentUnderNormal } from './numeric.js';

const definitions: Record<string, ActivationDefinition> = Object.fromEntries(
  [
    rectifiers.relu,
    squashing.tanh,
    squashing.sigmoid,
    rectifiers.leakyRelu,
    squashing.lecunTanh,
    rectifiers.elu,
    rectifiers.selu,
    smooth.gelu,
    smooth.swish,
    smooth.mish,
    smooth.softplus,
    squashing.softsign,
    squashing.hardSigmoid,
    smooth.linear,
    rectifiers.relu6,
    rectifiers.celu,
    squashing.hardTanh,
    smooth.hardSwish,
    squashing.logSigmoid,
    smooth.softShrink,
    smooth.hardShrink,
    squashing.tanhShrink,
    smooth.squareplus,
    rectifiers.thresholdedRelu,
    smooth.exponential,
  ].map((definition) => [definition.name, definition as unknown as ActivationDefinition]),
);

/** Names of the learnable activations; they are layers, made with `activationLayer`. */
export const learnableActivationNames = [
  'learnableLinear',
  'prelu',
  'learnableSwish',
  'rational',
] as const;

/** Names of every fixed activation, in the registry's order. */
export const activationNames: readonly string[] = Object.keys(definitions);

const nonDegenerate = (zones: Interval[]) => zones.filter((zone) => zone.max > zone.min);

function resolve(definition: ActivationDefinition, parameters: Record<string, number>): Activation {
  const p = parameters;
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, compute: () => T): T => {
    if (!cache.has(key)) cache.set(key, compute());
    return cache.get(key) as T;
  };
  const f = (x: number) => definition.f(x, p);
  const search = { kinks: definition.kinks?.(p) ?? [], scale: definition.scale?.(p) ?? 1 };
  const df = (x: number) => definition.df(x, p);
  const activation: Activation = {
    name: definition.name,
    parameters: Object.freeze({ ...p }),
    defaults: Object.freeze({ ...definition.defaults }),
    formula: definition.formula(p),
    fn: (x) => tf.tidy(() => definition.fn(x, p)),
    derivative: (x) => tf.tidy(() => definition.derivative(x, p)),
    f,
    df,
    get range() {
      return once('range', () => definition.range(p));
    },
    get derivativeRange() {
      return once('derivativeRange', () => definition.derivativeRange(p));
    },
    get deadZones() {
      return once('dead', () => nonDegenerate(intervalsWhere((x) => df(x) === 0, search)));
    },
    get saturationZones() {
      return once('saturation', () => {
        const { min, max } = activation.derivativeRange;
        const largest = Math.max(Math.abs(min), Math.abs(max));
        if (!Number.isFinite(largest)) return [];
        return nonDegenerate(
          intervalsWhere(
            (x) =>
              Math.abs(df(x)) < 0.01 * largest &&
              !activation.deadZones.some((zone) => intervalContains(zone, x)),
            search,
          ),
        );
      });
    },
    get gain() {
      return once(
        'gain',
        () => definition.pytorchGain?.(p) ?? 1 / Math.sqrt(secondMomentUnderNormal(f)),
      );
    },
    gainSource: definition.pytorchGain ? 'pytorch' : 'second-moment',
    kinks: Object.freeze([...search.kinks]),
  };
  return Object.freeze(activation);
}

function unknownName(name: string): ActivationError {
  const learnable = (learnableActivationNames as readonly string[]).includes(name);
  return new ActivationError({
    code: 'UNKNOWN_ACTIVATION',
    message: learnable
      ? `"${name}" is a learnable activation: it has weights, so it is a layer. Use activationLayer('${name}'). Fixed activations: ${activationNames.join(', ')}.`
      : `unknown activation "${name}". Valid names: ${activationNames.join(', ')}; learnable (via activationLayer): ${learnableActivationNames.join(', ')}.`,
  });
}

/**
 * The activation with the given name and parameters (defaults fill the rest).
 *
 * @param spec - a name such as `'tanh'`, or `{name: 'leakyRelu', alpha: 0.1}`
 * @param parameters - parameters, merged over those of `spec`
 * @throws {@link ActivationError} `UNKNOWN_ACTIVATION` naming the valid names, or
 *   `INVALID_PARAMETER` for an unknown, non-finite or out-of-range parameter
 */
export function getActivation(
  spec: ActivationSpec,
  parameters: Record<string, number> = {},
): Activation {
  const { name, ...fromSpec } = typeof spec === 'string' ? { name: spec } : spec;
  if (typeof name !== 'string') {
    throw new ActivationError({
      code: 'UNKNOWN_ACTIVATION',
      message: `an activation spec needs a name, got ${JSON.stringify(spec)}. Valid names: ${activationNames.join(', ')}.`,
    });
  }
  const definition = definitions[name];
  if (!definition) throw unknownName(name);
  const given = { ...fromSpec, ...parameters } as Record<string, unknown>;
  const allowed = Object.keys(definition.defaults);
  for (const [key, value] of Object.entries(given)) {
    if (!allowed.includes(key)) {
      throw new ActivationError({
        code: 'INVALID_PARAMETER',
        message: `${name} has no parameter "${key}"; ${allowed.length > 0 ? `its parameters are: ${allowed.join(', ')}` : 'it takes no parameters'}.`,
      });
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ActivationError({
        code: 'INVALID_PARAMETER',
        message: `${name}: parameter ${key} must be a finite number, got ${String(value)}.`,
      });
    }
  }
  const merged = { ...definition.defaults, ...(given as Record<string, number>) };
  const problem = definition.validate?.(merged);
  if (problem)
    throw new ActivationError({ code: 'INVALID_PARAMETER', message: `${name}: ${problem}.` });
  return resolve(definition, merged);
}

/** Every fixed activation with its default parameters, by name. */
export const activations: Readonly<Record<string, Activation>> = Object.freeze(
  Object.fromEntries(activationNames.map((name) => [name, getActivation(name)])),
);

/**
 * The spec that rebuilds an activation: its name, with every parameter spelled out (not only the
 * non-default ones), so a saved model keeps its meaning if a default ever changes.
 */
export function activationSpecOf(activation: Activation): ActivationSpec {
  return Object.keys(activation.parameters).length === 0
    ? activation.name
    : { name: activation.name, ...activation.parameters };
}

export type { ActivationParameters };
