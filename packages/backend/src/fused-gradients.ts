import * as tf from '@tensorflow/tfjs-core';
import {
  allButLast,
  batchNormGradName,
  kernelPlanners,
  leakyReluGradName,
  meanGradName,
} from './kernel-plans.js';

type GradFunc = tf.GradConfig['gradFunc'];
type Inputs = Record<string, tf.Tensor>;

/**
 * Whether our kernel takes this gradient: on the wasm backend with the kernel installed, float32
 * inputs, and shapes its planner accepts. Everything else keeps tfjs's own gradient.
 */
function ours(kernelName: string, inputs: Inputs, attrs: tf.NamedAttrMap): boolean {
  const plan = kernelPlanners[kernelName];
  return (
    tf.getBackend() === 'wasm' &&
    tf.getKernel(kernelName, 'wasm') !== undefined &&
    Object.values(inputs).every((input) => input.dtype === 'float32') &&
    plan?.(inputs, attrs) !== undefined
  );
}

const run = (kernelName: string, inputs: Inputs, attrs: tf.NamedAttrMap) =>
  tf.engine().runKernel(kernelName, inputs as tf.NamedTensorMap, attrs);

/** dx in one pass where tfjs's Relu and LeakyRelu gradients take three ops over the activation. */
const activationGradient =
  (alphaOf: (attrs: tf.NamedAttrMap) => number) =>
  (stock: GradFunc): GradFunc =>
  (dy, saved, attrs) => {
    const inputs = { dy: dy as tf.Tensor, x: saved[0] as tf.Tensor };
    const ourAttrs = { alpha: alphaOf(attrs) };
    if (!ours(leakyReluGradName, inputs, ourAttrs)) return stock(dy, saved, attrs);
    return { x: () => run(leakyReluGradName, inputs, ourAttrs) as tf.Tensor };
  };

/**
 * The gradients tfjs asks of FusedBatchNorm (x, mean, variance, scale, offset) from one kernel
 * call: two passes over x and dy where tfjs's own gradient makes about fourteen. Computed at
 * once, as tfjs's own gradient computes its shared terms: the tape runs each input's function in
 * a scope of its own, which would dispose results kept from an earlier one.
 */
const batchNormGradient =
  (stock: GradFunc): GradFunc =>
  (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as tf.Tensor[];
    const inputs = { x, mean, variance, scale, dy } as Inputs;
    const ourAttrs = { varianceEpsilon: attrs.varianceEpsilon as number };
    if (!scale || !ours(batchNormGradName, inputs, ourAttrs)) return stock(dy, saved, attrs);
    const [dx, dMean, dVariance, dScale, dOffset] = run(
      batchNormGradName,
      inputs,
      ourAttrs,
    ) as tf.Tensor[];
    return {
      x: () => dx as tf.Tensor,
      mean: () => dMean as tf.Tensor,
      variance: () => dVariance as tf.Tensor,
      scale: () => dScale as tf.Tensor,
      offset: () => dOffset as tf.Tensor,
    };
  };

/**
 * Mean's gradient over every axis but the last (BatchNorm's moments) in one pass: tfjs's
 * reshapes dy, multiplies it by a tensor of ones and divides by the count.
 */
const meanGradient =
  (stock: GradFunc): GradFunc =>
  (dy, saved, attrs) => {
    const x = saved[0] as tf.Tensor;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const inputs = { dy: dy as tf.Tensor };
    const ourAttrs = { shape: x.shape };
    if (x.dtype !== 'float32' || !allButLast(axes, x.rank) || !ours(meanGradName, inputs, ourAttrs))
      return stock(dy, saved, attrs);
    return { x: () => run(meanGradName, inputs, ourAttrs) as tf.Tensor };
  };

const overrides: Record<string, (stock: GradFunc) => GradFunc> = {
  Relu: activationGradient(() => 0),
  LeakyRelu: activationGradient((attrs) => attrs.alpha as number),
  FusedBatchNorm: batchNormGradient,
  Mean: meanGradient,
};

/** Our gradient configs, each with the one of tfjs it replaced (to restore, and to fall back on). */
const ourConfigs = new Map<tf.GradConfig, tf.GradConfig>();
let enabledNow = false;

/**
 * Replaces (enabled) or restores the gradients of Relu, LeakyRelu, FusedBatchNorm and Mean. The
 * replacements run our kernels on the wasm backend (see {@link ours}) and tfjs's gradient
 * everywhere else, so they are safe to leave installed when the backend changes.
 */
export function useFusedGradients(enabled: boolean): void {
  enabledNow = enabled;
  if (enabled) {
    ensureFusedGradients();
    return;
  }
  for (const kernelName of Object.keys(overrides)) {
    const current = tf.getGradient(kernelName);
    const stock = current && ourConfigs.get(current);
    if (stock) tf.registerGradient(stock);
  }
  ourConfigs.clear();
}

/**
 * While enabled, puts our gradients back where tfjs's are registered: tfjs registers its
 * gradients when some packages are imported (tfjs-layers, the tfjs bundle), which may come after
 * `selectBackend` and replaces ours. The conv kernels call this on every forward convolution, so
 * a CNN's BatchNorm and activations, recorded after it, get ours. Three map lookups.
 */
export function ensureFusedGradients(): void {
  if (!enabledNow) return;
  for (const [kernelName, override] of Object.entries(overrides)) {
    const current = tf.getGradient(kernelName);
    if (!current || ourConfigs.has(current)) continue;
    const ourConfig = { ...current, gradFunc: override(current.gradFunc) };
    tf.registerGradient(ourConfig);
    ourConfigs.set(ourConfig, current);
  }
}
