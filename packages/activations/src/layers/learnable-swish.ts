import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { checkFinite, checkFlag } from './check-arguments.js';
import { ElementwiseLayer, type Shape, singleInput } from './layer-input.js';

/** Settings of a {@link LearnableSwish} layer. */
export interface LearnableSwishArgs {
  /** Initial β. Default 1 (SiLU). */
  beta?: number;
  /** One β per unit instead of one per layer. Default false. */
  perUnit?: boolean;
  name?: string;
  inputShape?: number[];
  trainable?: boolean;
}

/**
 * Swish x·σ(βx) with β learned.
 *
 * @throws {@link ActivationError} `INVALID_PARAMETER` for a non-finite value or a non-boolean flag;
 *   `INVALID_INPUT_SHAPE` when built per unit on an input whose last axis has no known size
 */
export class LearnableSwish extends ElementwiseLayer {
  /** Serialization name. */
  static readonly className = 'LearnableSwish';
  private readonly initialBeta: number;
  private readonly perUnit: boolean;
  private beta?: LayerVariable;

  constructor(args: LearnableSwishArgs = {}) {
    const { beta = 1, perUnit = false, ...layerArgs } = args;
    super(layerArgs);
    this.initialBeta = checkFinite(LearnableSwish.className, 'beta', beta);
    this.perUnit = checkFlag(LearnableSwish.className, 'perUnit', perUnit);
  }

  override build(inputShape: Shape | Shape[]): void {
    const size = this.parameterShape(inputShape, this.perUnit);
    this.beta = this.addWeight(
      'beta',
      size,
      'float32',
      initializers.constant({ value: this.initialBeta }),
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs);
      return tf.mul(x, tf.sigmoid(tf.mul((this.beta as LayerVariable).read(), x)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), beta: this.initialBeta, perUnit: this.perUnit };
  }
}

tf.serialization.registerClass(LearnableSwish);
