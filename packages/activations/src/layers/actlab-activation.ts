import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import type { Activation } from '../activation.js';
import type { ActivationSpec } from '../activation-spec-schema.js';
import { activationSpecOf, getActivation } from '../registry.js';
import { singleInput } from './layer-input.js';

/** Settings of an {@link ActlabActivation} layer. */
export interface ActlabActivationArgs {
  /** The activation: a name or `{name, ...parameters}`. */
  activation: ActivationSpec;
  name?: string;
  inputShape?: number[];
  batchInputShape?: (number | null)[];
  trainable?: boolean;
}

/**
 * A tfjs-layers layer that applies any fixed actlab activation element-wise. Registered for
 * serialization, so models using it survive `model.save` → `tf.loadLayersModel`.
 */
export class ActlabActivation extends layers.Layer {
  /** Serialization name. */
  static readonly className = 'ActlabActivation';
  /** The activation applied. */
  readonly activation: Activation;

  constructor(args: ActlabActivationArgs) {
    const { activation, ...layerArgs } = args;
    super(layerArgs);
    this.activation = getActivation(activation);
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return this.activation.fn(singleInput(inputs));
  }

  override computeOutputShape(inputShape: number[] | number[][]): number[] | number[][] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      activation: activationSpecOf(this.activation) as tf.serialization.ConfigDictValue,
    };
  }
}

tf.serialization.registerClass(ActlabActivation);
