import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { checkFinite, checkFlag } from './check-arguments.js';
import { ElementwiseLayer, type Shape, singleInput } from './layer-input.js';

/** Settings of a {@link LearnableLinear} layer. */
export interface LearnableLinearArgs {
  /** Initial intercept k0. Default 0.5. */
  k0?: number;
  /** Initial slope k1. Default 1. */
  k1?: number;
  /** One (k0, k1) pair per unit instead of one per layer. Default false. */
  perUnit?: boolean;
  name?: string;
  inputShape?: number[];
  trainable?: boolean;
}

/**
 * g(x) = k0 + k1·x with learned k0 and k1 (one pair per layer, or per unit). Note that it is
 * affine: a network made only of such activations is an affine map of its input.
 *
 * @throws {@link ActivationError} `INVALID_PARAMETER` for a non-finite value or a non-boolean flag;
 *   `INVALID_INPUT_SHAPE` when built per unit on an input whose last axis has no known size
 */
export class LearnableLinear extends ElementwiseLayer {
  /** Serialization name. */
  static readonly className = 'LearnableLinear';
  private readonly initialK0: number;
  private readonly initialK1: number;
  private readonly perUnit: boolean;
  private k0?: LayerVariable;
  private k1?: LayerVariable;

  constructor(args: LearnableLinearArgs = {}) {
    const { k0 = 0.5, k1 = 1, perUnit = false, ...layerArgs } = args;
    super(layerArgs);
    this.initialK0 = checkFinite(LearnableLinear.className, 'k0', k0);
    this.initialK1 = checkFinite(LearnableLinear.className, 'k1', k1);
    this.perUnit = checkFlag(LearnableLinear.className, 'perUnit', perUnit);
  }

  override build(inputShape: Shape | Shape[]): void {
    const size = this.parameterShape(inputShape, this.perUnit);
    this.k0 = this.addWeight(
      'k0',
      size,
      'float32',
      initializers.constant({ value: this.initialK0 }),
    );
    this.k1 = this.addWeight(
      'k1',
      size,
      'float32',
      initializers.constant({ value: this.initialK1 }),
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() =>
      tf.add(
        (this.k0 as LayerVariable).read(),
        tf.mul((this.k1 as LayerVariable).read(), singleInput(inputs)),
      ),
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), k0: this.initialK0, k1: this.initialK1, perUnit: this.perUnit };
  }
}

tf.serialization.registerClass(LearnableLinear);
