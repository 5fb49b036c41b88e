import type { Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';

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
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return perUnit ? [shape[shape.length - 1] as number] : [1];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }
}
