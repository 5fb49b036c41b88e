import type { Tensor } from '@tensorflow/tfjs-core';
import type { Interval } from './interval.js';

/** Numeric parameters of an activation, such as `{alpha: 0.1}`. */
export type ActivationParameters = Readonly<Record<string, number>>;

/**
 * An activation with its parameters fixed: the function, its analytic derivative and what can
 * be said of them exactly, kept side by side so each can be checked against the others.
 */
export interface Activation {
  /** Registry name, e.g. `leakyRelu`. */
  readonly name: string;
  /** LaTeX formula with the parameters filled in. */
  readonly formula: string;
  /** Parameter values in force (defaults filled in); empty for parameter-free activations. */
  readonly parameters: ActivationParameters;
  /** Default parameter values. */
  readonly defaults: ActivationParameters;
  /** f applied element-wise; returns a new tensor and keeps no intermediates. */
  fn(x: Tensor): Tensor;
  /** Analytic f′ applied element-wise (not autodiff). */
  derivative(x: Tensor): Tensor;
  /** f in float64 JavaScript math: an independent reference for tests and numerics. */
  f(x: number): number;
  /** f′ in float64 JavaScript math. */
  df(x: number): number;
  /** Exact range of f over the reals. */
  readonly range: Interval;
  /** Exact range of f′ over the reals. */
  readonly derivativeRange: Interval;
  /**
   * Where the gradient vanishes: |f′(x)| < 0.01 · sup |f′|, outside the dead zones. Units whose
   * pre-activations sit here learn slowly (tanh and sigmoid tails). Includes points where f′
   * crosses zero (GELU's minimum, hard-Swish at −1.5). Empty when sup |f′| is infinite
   * (`exponential`) or |f′| never gets that small. Bounds that are not kinks are open, to float64
   * precision.
   */
  readonly saturationZones: readonly Interval[];
  /**
   * Intervals of positive length where f′(x) = 0 exactly (f is flat): no gradient at all, so a
   * unit whose pre-activations all fall here is dead (ReLU for x ≤ 0). Isolated zeros of f′ belong
   * to the saturation zones instead.
   */
  readonly deadZones: readonly Interval[];
  /**
   * Recommended initialisation gain: PyTorch's `calculate_gain` where it defines one, else
   * 1 / √E[f(z)²] for z ~ N(0, 1), the factor that keeps a layer's second moment (this rule gives
   * PyTorch's own values for ReLU, leaky ReLU and linear).
   */
  readonly gain: number;
  /** Where the gain comes from. */
  readonly gainSource: 'pytorch' | 'second-moment';
  /** Points where f is not differentiable (the derivative there is a convention). */
  readonly kinks: readonly number[];
}

/** How an activation is defined, before its parameters are fixed. */
export interface ActivationDefinition<P extends Record<string, number> = Record<string, number>> {
  name: string;
  defaults: P;
  /** Returns a message when the parameters are not allowed (e.g. a negative alpha). */
  validate?: (parameters: P) => string | undefined;
  formula: (parameters: P) => string;
  fn: (x: Tensor, parameters: P) => Tensor;
  derivative: (x: Tensor, parameters: P) => Tensor;
  f: (x: number, parameters: P) => number;
  df: (x: number, parameters: P) => number;
  range: (parameters: P) => Interval;
  derivativeRange: (parameters: P) => Interval;
  pytorchGain?: (parameters: P) => number;
  kinks?: (parameters: P) => number[];
  /**
   * Characteristic width of f′'s features along x when the parameters stretch it (1/β for swish,
   * α for celu); the zone search widens its window by it. Default 1.
   */
  scale?: (parameters: P) => number;
}

/** Helper that keeps the parameter type of a definition. */
export function defineActivation<P extends Record<string, number>>(
  definition: ActivationDefinition<P>,
): ActivationDefinition<P> {
  return definition;
}
