import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { checkCoefficients } from './check-arguments.js';
import { ElementwiseLayer, singleInput } from './layer-input.js';

/**
 * Coefficients of P/Q fitted to leaky ReLU (α = 0.01) on [−3, 3] by tools/fit-rational.py
 * (linearised least squares, then Gauss–Newton); max error 0.030, at the kink.
 */
const leakyReluNumerator = [0.0298036, 0.61838288, 2.32230027, 3.04917665, 1.48336744, 0.25055671];
const leakyReluDenominator = [1.14150983, 4.3891223, 0.87030247, 0.34654287];

/** Settings of a {@link RationalActivation} layer. */
export interface RationalActivationArgs {
  /** Initial a0…a5 of P. Default: the leaky-ReLU fit. */
  numerator?: number[];
  /** Initial b1…b4 of Q. Default: the leaky-ReLU fit. */
  denominator?: number[];
  name?: string;
  inputShape?: number[];
  trainable?: boolean;
}

/**
 * A rational (Padé) activation P(x)/Q(x) with learned coefficients, degree 5/4, in the "safe"
 * form of Padé Activation Units: Q(x) = 1 + |b1·x| + |b2·x²| + |b3·x³| + |b4·x⁴| ≥ 1, so it never
 * divides by zero. Starts as an approximation of leaky ReLU.
 *
 * @throws {@link ActivationError} `INVALID_PARAMETER` unless `numerator` holds 6 finite numbers
 *   and `denominator` 4
 */
export class RationalActivation extends ElementwiseLayer {
  /** Serialization name. */
  static readonly className = 'RationalActivation';
  private readonly initialNumerator: number[];
  private readonly initialDenominator: number[];
  private numerator?: LayerVariable;
  private denominator?: LayerVariable;

  constructor(args: RationalActivationArgs = {}) {
    const {
      numerator = leakyReluNumerator,
      denominator = leakyReluDenominator,
      ...layerArgs
    } = args;
    super(layerArgs);
    this.initialNumerator = checkCoefficients(
      RationalActivation.className,
      'numerator',
      numerator,
      6,
    );
    this.initialDenominator = checkCoefficients(
      RationalActivation.className,
      'denominator',
      denominator,
      4,
    );
  }

  override build(): void {
    this.numerator = this.addWeight('numerator', [6], 'float32', initializers.zeros());
    this.denominator = this.addWeight('denominator', [4], 'float32', initializers.zeros());
    // Inside tidy: the variables keep their own reference to the written values.
    tf.tidy(() => {
      this.numerator?.write(tf.tensor1d(this.initialNumerator));
      this.denominator?.write(tf.tensor1d(this.initialDenominator));
    });
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs);
      const a = tf.unstack((this.numerator as LayerVariable).read());
      const b = tf.unstack(tf.abs((this.denominator as LayerVariable).read()));
      // Horner's rule for P; Q sums |b_j|·|x|^j.
      let p: tf.Tensor = a[5] as tf.Tensor;
      for (let i = 4; i >= 0; i--) p = tf.add(tf.mul(p, x), a[i] as tf.Tensor);
      const absX = tf.abs(x);
      let power: tf.Tensor = absX;
      let q: tf.Tensor = tf.onesLike(x);
      for (let j = 0; j < 4; j++) {
        q = tf.add(q, tf.mul(b[j] as tf.Tensor, power));
        power = tf.mul(power, absX);
      }
      return tf.div(p, q);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numerator: this.initialNumerator,
      denominator: this.initialDenominator,
    };
  }
}

tf.serialization.registerClass(RationalActivation);
