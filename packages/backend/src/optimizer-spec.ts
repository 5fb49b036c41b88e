import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BackendError } from './backend-error.js';

const learningRate = z.number().positive().finite();
const fraction = z.number().min(0).lt(1);
const unitInterval = z.number().min(0).max(1);
const nonNegative = z.number().min(0).finite();
/** Name shown in tables and figures, e.g. `Adam`; trainers ignore it. */
const label = z.string().min(1).optional();

/**
 * The schema of an {@link OptimizerSpec}: one strict object per optimizer, so a setting that
 * optimizer does not take (`rho` on RMSProp, say) is refused rather than ignored. Reuse it in
 * other schemas (a study's `optimizer` field is this schema).
 */
export const optimizerSpecSchema = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('sgd'), label, learningRate }),
  z.strictObject({
    name: z.literal('momentum'),
    label,
    learningRate,
    momentum: nonNegative.optional(),
    useNesterov: z.boolean().optional(),
  }),
  z.strictObject({
    name: z.literal('adam'),
    label,
    learningRate: learningRate.optional(),
    beta1: fraction.optional(),
    beta2: fraction.optional(),
    epsilon: nonNegative.optional(),
  }),
  z.strictObject({
    name: z.literal('adagrad'),
    label,
    learningRate,
    initialAccumulatorValue: nonNegative.optional(),
  }),
  z.strictObject({
    name: z.literal('adadelta'),
    label,
    learningRate: learningRate.optional(),
    rho: unitInterval.optional(),
    epsilon: nonNegative.optional(),
  }),
  z.strictObject({
    name: z.literal('rmsprop'),
    label,
    learningRate,
    decay: unitInterval.optional(),
    momentum: nonNegative.optional(),
    epsilon: nonNegative.optional(),
  }),
]);

/**
 * An optimizer by name with its settings, with tfjs-core's parameter names, meaning and
 * defaults (`tf.train.sgd`, `tf.train.momentum`, …; RMSProp's smoothing factor is `decay`, as
 * in `tf.train.rmsprop`), so the fused trainer and a stock tfjs optimizer built from the same
 * spec ({@link createTfjsOptimizer}) take the same steps.
 */
export type OptimizerSpec = z.infer<typeof optimizerSpecSchema>;

/** The optimizer names an {@link OptimizerSpec} can take. */
export type OptimizerName = OptimizerSpec['name'];

/** An optimizer spec with every default filled in. */
export interface ResolvedOptimizer {
  name: OptimizerSpec['name'];
  learningRate: number;
  momentum: number;
  useNesterov: boolean;
  beta1: number;
  beta2: number;
  epsilon: number;
  initialAccumulatorValue: number;
  rho: number;
  decay: number;
  /** Number of state buffers per weight (Adam: m and v). */
  slots: number;
}

/** tfjs's float32 backend epsilon, the default of every optimizer that has one. */
const backendEpsilon = 1e-7;

const slotsPerOptimizer: Record<OptimizerSpec['name'], number> = {
  sgd: 0,
  momentum: 1,
  adam: 2,
  adagrad: 1,
  adadelta: 2,
  rmsprop: 2,
};

const defaultLearningRates: Partial<Record<OptimizerSpec['name'], number>> = {
  adam: 0.001,
  adadelta: 0.001,
};

function specOfTfjsOptimizer(optimizer: tf.Optimizer): OptimizerSpec {
  const className = optimizer.getClassName();
  const config = optimizer.getConfig() as Record<string, number | boolean>;
  const number = (key: string) => config[key] as number;
  switch (className) {
    case 'SGD':
      return { name: 'sgd', learningRate: number('learningRate') };
    case 'Momentum':
      return {
        name: 'momentum',
        learningRate: number('learningRate'),
        momentum: number('momentum'),
        useNesterov: Boolean(config['useNesterov']),
      };
    case 'Adam':
      return {
        name: 'adam',
        learningRate: number('learningRate'),
        beta1: number('beta1'),
        beta2: number('beta2'),
        epsilon: number('epsilon'),
      };
    case 'Adagrad':
      return {
        name: 'adagrad',
        learningRate: number('learningRate'),
        initialAccumulatorValue: number('initialAccumulatorValue'),
      };
    case 'Adadelta':
      return {
        name: 'adadelta',
        learningRate: number('learningRate'),
        rho: number('rho'),
        epsilon: number('epsilon'),
      };
    case 'RMSProp':
      if (config['centered']) {
        throw new BackendError({
          code: 'INVALID_OPTION',
          message: 'centered RMSProp is not fused; use stock training for it.',
        });
      }
      return {
        name: 'rmsprop',
        learningRate: number('learningRate'),
        decay: number('decay'),
        momentum: number('momentum'),
        epsilon: number('epsilon'),
      };
    default:
      throw new BackendError({
        code: 'INVALID_OPTION',
        message: `optimizer ${className} is not fused; expected SGD, Momentum, Adam, Adagrad, Adadelta or RMSProp.`,
      });
  }
}

/**
 * Fills in defaults and checks ranges.
 *
 * @throws {@link BackendError} `INVALID_OPTION` for an unknown optimizer or a value out of range
 */
export function resolveOptimizer(input: OptimizerSpec | tf.Optimizer): ResolvedOptimizer {
  const spec: OptimizerSpec =
    typeof (input as tf.Optimizer).getClassName === 'function'
      ? specOfTfjsOptimizer(input as tf.Optimizer)
      : (input as OptimizerSpec);
  const name = spec?.name;
  if (!(name in slotsPerOptimizer)) {
    throw new BackendError({
      code: 'INVALID_OPTION',
      message: `unknown optimizer "${String(name)}"; expected one of ${Object.keys(slotsPerOptimizer).join(', ')}.`,
    });
  }
  const value = (key: string) => (spec as unknown as Record<string, unknown>)[key];
  const numberOr = (key: string, fallback: number) => {
    const found = value(key);
    return found === undefined || found === null ? fallback : Number(found);
  };
  const resolved: ResolvedOptimizer = {
    name,
    learningRate: numberOr('learningRate', defaultLearningRates[name] ?? Number.NaN),
    momentum: numberOr('momentum', name === 'momentum' ? 0.9 : 0),
    useNesterov: value('useNesterov') === true,
    beta1: numberOr('beta1', 0.9),
    beta2: numberOr('beta2', 0.999),
    epsilon: numberOr('epsilon', backendEpsilon),
    initialAccumulatorValue: numberOr('initialAccumulatorValue', 0.1),
    rho: numberOr('rho', 0.95),
    decay: numberOr('decay', 0.9),
    slots: slotsPerOptimizer[name],
  };
  const checks: [string, number, boolean][] = [
    ['learningRate', resolved.learningRate, resolved.learningRate > 0],
    ['momentum', resolved.momentum, resolved.momentum >= 0],
    ['beta1', resolved.beta1, resolved.beta1 >= 0 && resolved.beta1 < 1],
    ['beta2', resolved.beta2, resolved.beta2 >= 0 && resolved.beta2 < 1],
    ['epsilon', resolved.epsilon, resolved.epsilon >= 0],
    [
      'initialAccumulatorValue',
      resolved.initialAccumulatorValue,
      resolved.initialAccumulatorValue >= 0,
    ],
    ['rho', resolved.rho, resolved.rho >= 0 && resolved.rho <= 1],
    ['decay', resolved.decay, resolved.decay >= 0 && resolved.decay <= 1],
  ];
  for (const [key, found, ok] of checks) {
    if (!ok || !Number.isFinite(found)) {
      throw new BackendError({
        code: 'INVALID_OPTION',
        message: `optimizer ${name}: ${key} must be a finite number in range, got ${found}.`,
      });
    }
  }
  return resolved;
}

/**
 * A fresh stock tfjs optimizer for a spec, with the same settings the fused trainer uses.
 *
 * @throws {@link BackendError} `INVALID_OPTION` for an unknown optimizer or a value out of range
 */
export function createTfjsOptimizer(spec: OptimizerSpec): tf.Optimizer {
  const resolved = resolveOptimizer(spec);
  const { learningRate, epsilon } = resolved;
  switch (resolved.name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, resolved.momentum, resolved.useNesterov);
    case 'adam':
      return tf.train.adam(learningRate, resolved.beta1, resolved.beta2, epsilon);
    case 'adagrad':
      return tf.train.adagrad(learningRate, resolved.initialAccumulatorValue);
    case 'adadelta':
      return tf.train.adadelta(learningRate, resolved.rho, epsilon);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate, resolved.decay, resolved.momentum, epsilon);
  }
}
