import { type LayerProbe, probeGradients } from '@actlab/gradient-probe';
import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { GradientRecord, LayerGradientSummary } from './trial-records.js';

/** Groups probe layers into Dense layers, each with the activation layer that follows it, if any. */
function groupByDense(layers: LayerProbe[]): LayerProbe[][] {
  const groups: LayerProbe[][] = [];
  for (const layer of layers) {
    if (layer.kernel || groups.length === 0) groups.push([layer]);
    else groups[groups.length - 1]?.push(layer);
  }
  return groups;
}

/**
 * Gradient statistics of a trial's model on the fixed probe batch: per Dense layer, the loss
 * gradient of its kernel (`weights`) and/or max |∂(sum of its outputs)/∂(input pixels)| (`input`,
 * the seed's figure), with the dead and saturated fractions of its activation.
 */
export function probeTrialGradients(
  model: LayersModel,
  xs: tf.Tensor2D,
  ys: tf.Tensor2D,
  epoch: number,
  targets: ('weights' | 'input' | 'outputSum')[],
): GradientRecord[] {
  const probe = probeGradients(model, xs, ys, {
    loss: 'categoricalCrossentropy',
    target: targets.includes('input') ? 'both' : 'weights',
  });
  const groups = groupByDense(probe.layers);
  const outputSumGroups = targets.includes('outputSum')
    ? groupByDense(probeGradients(model, xs, null, { objective: 'outputSum' }).layers)
    : [];
  const activationOf = (group: LayerProbe[]) =>
    group.map((layer) => layer.activation).find(Boolean) ?? null;
  const records: GradientRecord[] = [];
  for (const target of targets) {
    const layers: LayerGradientSummary[] = groups.map((group, i) => {
      const last = group[group.length - 1] as LayerProbe;
      const source =
        target === 'weights'
          ? group[0]?.kernel
          : target === 'outputSum'
            ? outputSumGroups[i]?.[0]?.kernel
            : last.inputGradient;
      const activation = activationOf(group);
      return {
        layer: group[0]?.layer ?? '',
        index: i + 1,
        maxAbs: source?.maxAbs ?? Number.NaN,
        meanAbs: source?.meanAbs ?? Number.NaN,
        l2Norm: source?.l2Norm ?? Number.NaN,
        deadFraction: activation?.deadFraction ?? null,
        saturatedFraction: activation?.saturatedFraction ?? null,
      };
    });
    records.push({ epoch, target, layers });
  }
  return records;
}
