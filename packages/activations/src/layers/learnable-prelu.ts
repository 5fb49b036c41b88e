import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { checkFinite, checkFlag } from './check-arguments.js';
import { ElementwiseLayer, type Shape, singleInput } from './layer-input.js';

/** Settings of a {@link LearnablePReLU} layer. */
export interface LearnablePReLUArgs {
  /** Initial negative slope. Default 0.25 (PyTorch's). */
  alpha?: number;
  /** One slope for the whole layer instead of one per unit. Default false. */
  shared?: boolean;
  name?: string;
  inputShape?: number[];
  trainable?: boolean;
}

/**
 * Leaky ReLU whose negative slope α is learned: x for x > 0, α·x otherwise.
 *
 * @throws {@link ActivationError} `INVALID_PARAMETER` for a non-finite value or a non-boolean flag;
 *   `INVALID_INPUT_SHAPE` when built per unit on an input whose last axis has no known size
 */
export class LearnablePReLU extends ElementwiseLayer {
  /** Serialization name (distinct from tfjs-layers' own `PReLU`). */
  static readonly className = 'ActlabPReLU';
  private readonly initialAlpha: number;
  private readonly shared: boolean;
  private alpha?: LayerVariable;

  constructor(args: LearnablePReLUArgs = {}) {
    const { alpha = 0.25, shared = false, ...layerArgs } = args;
    super(layerArgs);
    this.initialAlpha = checkFinite(LearnablePReLU.className, 'alpha', alpha);
    this.shared = checkFlag(LearnablePReLU.className, 'shared', shared);
  }

  override build(inputShape: Shape | Shape[]): void {
    const size = this.parameterShape(inputShape, !this.shared);
    this.alpha = this.addWeight(
      'alpha',
      size,
      'float32',
      initializers.constant({ value: this.initialAlpha }),
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs);
      // relu(x) − α·relu(−x) = x for x > 0 and α·x otherwise, differentiable in α.
      return tf.sub(tf.relu(x), tf.mul((this.alpha as LayerVariable).read(), tf.relu(tf.neg(x))));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.initialAlpha, shared: this.shared };
  }
}

tf.serialization.registerClass(LearnablePReLU);
