import type { Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { ActivationError } from '../activation-error.js';

/** A tfjs-layers shape: dimensions, null where unknown (the batch). */
export type Shape = (number | null)[];

/** The single input tensor of an element-wise layer. */
export function singleInput(inputs: Tensor | Tensor[]): Tensor {
  return Array.isArray(inputs) ? (inputs[0] as Tensor) : inputs;
}

/**
 * Base of the element-wise activation layers: output shape = input shape, and the shape of a
 * parameter that is either one value for the layer or one per unit (the last axis).
 */
export abstract class ElementwiseLayer extends layers.Layer {
  protected parameterShape(inputShape: Shape | Shape[], perUnit: boolean): number[] {
    if (!perUnit) return [1];
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const units = shape[shape.length - 1];
    if (typeof units !== 'number' || !Number.isInteger(units) || units < 1) {
      throw new ActivationError({
        code: 'INVALID_INPUT_SHAPE',
        message: `${this.getClassName()} "${this.name}" has one weight per unit, so the last axis of its input must have a known size; got input shape ${JSON.stringify(shape)}. Give the model an inputShape, or use one weight for the layer.`,
      });
    }
    return [units];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }
}
