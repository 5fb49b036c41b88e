import type { LayersModel } from '@tensorflow/tfjs-layers';

/** Activations the fused trainer computes itself (forward and derivative). */
export type FusedActivation =
  | 'linear'
  | 'relu'
  | 'relu6'
  | 'leakyRelu'
  | 'elu'
  | 'selu'
  | 'sigmoid'
  | 'tanh'
  | 'lecunTanh'
  | 'softmax';

/** The kernel codes of wasm/dense.c's `enum Activation` (softmax is handled by the loss). */
export const activationCodes: Record<Exclude<FusedActivation, 'softmax'>, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  leakyRelu: 3,
  elu: 4,
  selu: 5,
  sigmoid: 6,
  tanh: 7,
  lecunTanh: 8,
};

/** One Dense layer of a fusable stack, with the activation that follows it. */
export interface FusedDenseLayer {
  /** Name of the Dense layer. */
  name: string;
  inputSize: number;
  outputSize: number;
  useBias: boolean;
  activation: FusedActivation;
  /** Slope (leaky relu) or scale of the negative part (elu); 0 otherwise. */
  alpha: number;
}

/** Whether a model can be trained by the fused trainer, and how it decomposes. */
export type DenseStackAnalysis =
  | { fusable: true; inputSize: number; layers: FusedDenseLayer[] }
  | { fusable: false; reason: string };

interface LooseLayer {
  name: string;
  trainable: boolean;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  inboundNodes?: { inboundLayers: LooseLayer[] }[];
  activation?: { name?: string; parameters?: Record<string, number> };
  batchInputShape?: number[];
}

/** tfjs-layers activation identifiers (Dense's `activation`, the Activation layer). */
const layersActivations: Record<string, FusedActivation> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  elu: 'elu',
  selu: 'selu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
};

/** @actlab/activations names (the ActlabActivation layer). */
const actlabActivations: Record<string, FusedActivation> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  leakyRelu: 'leakyRelu',
  elu: 'elu',
  selu: 'selu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  lecunTanh: 'lecunTanh',
};

type ActivationOrReason = { activation: FusedActivation; alpha: number } | { reason: string };

function activationOfLayer(layer: LooseLayer): ActivationOrReason {
  const className = layer.getClassName();
  const config = layer.getConfig();
  switch (className) {
    case 'Activation': {
      const name = String(config['activation']);
      const activation = layersActivations[name];
      return activation
        ? { activation, alpha: activation === 'elu' ? 1 : 0 }
        : { reason: `activation "${name}" is not one the fused trainer computes` };
    }
    case 'ReLU':
      return config['maxValue'] == null
        ? { activation: 'relu', alpha: 0 }
        : { reason: 'ReLU with maxValue is not supported' };
    case 'LeakyReLU':
      return { activation: 'leakyRelu', alpha: Number(config['alpha'] ?? 0.3) };
    case 'ELU':
      return { activation: 'elu', alpha: Number(config['alpha'] ?? 1) };
    case 'Softmax':
      return config['axis'] === -1 || config['axis'] === 1 || config['axis'] == null
        ? { activation: 'softmax', alpha: 0 }
        : { reason: 'Softmax over an axis other than the last' };
    case 'ActlabActivation': {
      const name = layer.activation?.name ?? '';
      const activation = actlabActivations[name];
      if (!activation) return { reason: `actlab activation "${name}" has no fused kernel` };
      const alpha = layer.activation?.parameters?.['alpha'] ?? 0;
      return { activation, alpha };
    }
    default:
      return { reason: `layer class ${className} is not supported` };
  }
}

function denseProblem(layer: LooseLayer, inputRank: number): string | undefined {
  const config = layer.getConfig();
  if (inputRank !== 2) return `its input has rank ${inputRank}; only [batch, features] is fused`;
  if (!layer.trainable) return 'it is frozen (trainable: false)';
  for (const key of [
    'kernelRegularizer',
    'biasRegularizer',
    'activityRegularizer',
    'kernelConstraint',
    'biasConstraint',
  ]) {
    if (config[key] != null) return `it has a ${key}`;
  }
  return undefined;
}

/**
 * Tells whether a tfjs-layers model is a plain chain of Dense layers (each optionally followed
 * by one activation layer) ending in softmax, which {@link createDenseTrainer} can train, and if
 * not, why not.
 *
 * @param model - a built Sequential or functional tfjs-layers model
 * @returns `{fusable: true, inputSize, layers}` or `{fusable: false, reason}`; never throws
 */
export function analyzeDenseStack(model: LayersModel): DenseStackAnalysis {
  const refuse = (reason: string): DenseStackAnalysis => ({ fusable: false, reason });
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    return refuse('the model has several inputs or outputs');
  }
  const all = (model.layers as unknown as LooseLayer[]).filter(
    (layer) => layer.getClassName() !== 'InputLayer',
  );
  const inputShape = model.inputs[0]?.shape ?? [];
  const layers: FusedDenseLayer[] = [];
  let previous: LooseLayer | undefined;
  let width = inputShape[inputShape.length - 1] ?? 0;
  for (const layer of all) {
    const inbound = layer.inboundNodes ?? [];
    if (inbound.length !== 1) return refuse(`layer ${layer.name} is used ${inbound.length} times`);
    const sources = inbound[0]?.inboundLayers ?? [];
    const source = sources.length === 1 ? sources[0] : undefined;
    const chained = previous ? source === previous : source?.getClassName() === 'InputLayer';
    if (!chained) {
      return refuse(`layer ${layer.name} does not follow the previous layer in a plain chain`);
    }
    previous = layer;
    if (layer.getClassName() === 'Dense') {
      const problem = denseProblem(layer, inputShape.length);
      if (problem) return refuse(`Dense layer ${layer.name}: ${problem}`);
      const config = layer.getConfig();
      const name = String(config['activation'] ?? 'linear');
      const activation = layersActivations[name];
      if (!activation) return refuse(`Dense layer ${layer.name}: activation "${name}" not fused`);
      const units = Number(config['units']);
      layers.push({
        name: layer.name,
        inputSize: width,
        outputSize: units,
        useBias: config['useBias'] !== false,
        activation,
        alpha: activation === 'elu' ? 1 : 0,
      });
      width = units;
      continue;
    }
    const last = layers[layers.length - 1];
    if (!last) return refuse(`layer ${layer.name} comes before any Dense layer`);
    const found = activationOfLayer(layer);
    if ('reason' in found) return refuse(`layer ${layer.name}: ${found.reason}`);
    if (last.activation !== 'linear') {
      return refuse(`layer ${layer.name} is a second activation after Dense layer ${last.name}`);
    }
    last.activation = found.activation;
    last.alpha = found.alpha;
  }
  if (layers.length === 0) return refuse('the model has no Dense layer');
  const inputSize = layers[0]?.inputSize ?? 0;
  if (!(inputSize > 0)) return refuse('the input width is unknown; build the model first');
  const hiddenSoftmax = layers.slice(0, -1).find((layer) => layer.activation === 'softmax');
  if (hiddenSoftmax) return refuse(`softmax on hidden layer ${hiddenSoftmax.name}`);
  if (layers[layers.length - 1]?.activation !== 'softmax') {
    return refuse('the last layer must end in softmax (categorical cross-entropy)');
  }
  return { fusable: true, inputSize, layers };
}
