import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Gives every seeded Dropout layer of a model a seed of its own for one training step, derived
 * from the layer's seed and the step. Why: tfjs's Dropout passes its fixed `seed` to
 * `tf.randomUniform` on every call, so it drops the same units at every step — a fixed mask, not
 * dropout. With this, two runs with one seed still draw the same masks, step for step.
 *
 * @param model - a model whose Dropout layers may carry a `seed` (unseeded ones are left alone:
 *   they draw a fresh, unrepeatable mask at every call already)
 * @param step - the training step, counted across epochs
 * @returns a function that puts the layers' own seeds back (so a saved model keeps them)
 */
export function seedDropoutForStep(model: tfl.LayersModel, step: number): () => void {
  const seeded = model.layers.flatMap((layer) => {
    const dropout = layer as unknown as { seed?: number };
    return layer.getClassName() === 'Dropout' && typeof dropout.seed === 'number'
      ? [{ dropout, seed: dropout.seed }]
      : [];
  });
  for (const { dropout, seed } of seeded) {
    dropout.seed = (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b)) >>> 0;
  }
  return () => {
    for (const { dropout, seed } of seeded) dropout.seed = seed;
  };
}
