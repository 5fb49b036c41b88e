import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, layers, SymbolicTensor } from '@tensorflow/tfjs-layers';

type Layer = layers.Layer;
type Node = Layer['inboundNodes'][number];
type Computed = [tf.Tensor, tf.Tensor | null];

/** A model or a nested model used as a layer: a graph from symbolic inputs to symbolic outputs. */
export interface Graph {
  name: string;
  layers: Layer[];
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
}

/** One call of a leaf layer (not a nested model) during {@link runGraph}. */
export interface LayerCall {
  layer: Layer;
  /** The graph node that was evaluated (a shared layer has one per use). */
  node: Node;
  /** Names of the nested models around the layer, outermost first; empty at the top level. */
  scope: readonly string[];
  outputs: tf.Tensor[];
}

export interface RunGraphOptions {
  /** Called with every leaf layer's outputs as they are computed. */
  onCall?: (call: LayerCall) => void;
  /** Symbolic tensors of the top-level graph to compute instead of its outputs (only their ancestors run). */
  fetch?: readonly SymbolicTensor[];
}

/** True for a layer that is itself a model whose inner layers can be run one by one. */
export function isNestedGraph(layer: Layer): layer is Layer & Graph {
  const candidate = layer as Partial<Graph>;
  return (
    Array.isArray(candidate.layers) &&
    Array.isArray(candidate.inputs) &&
    Array.isArray(candidate.outputs) &&
    candidate.inputs.length > 0 &&
    candidate.outputs.length > 0
  );
}

/** Leaf layers of a graph in the model's own order, nested models expanded in place. */
export function leafLayers(graph: Graph): { layer: Layer; scope: string[] }[] {
  const found: { layer: Layer; scope: string[] }[] = [];
  const visit = (current: Graph, scope: string[]) => {
    for (const layer of current.layers) {
      if (layer.getClassName() === 'InputLayer') continue;
      if (isNestedGraph(layer)) visit(layer, [...scope, layer.name]);
      else found.push({ layer, scope });
    }
  };
  visit(graph, []);
  return found;
}

function callLayer(
  layer: Layer,
  node: Node,
  inputs: Computed[],
  scope: readonly string[],
  options: RunGraphOptions,
): Computed[] {
  if (isNestedGraph(layer)) {
    return runInside(layer, inputs, [...scope, layer.name], { onCall: options.onCall });
  }
  const tensors = inputs.map(([tensor]) => tensor);
  const masks = inputs.map(([, mask]) => mask);
  const single = tensors.length === 1;
  const input = single ? (tensors[0] as tf.Tensor) : tensors;
  const mask = single ? masks[0] : masks;
  // A copy: tfjs-layers' own executor writes the mask into the node's callArgs.
  const kwargs: Record<string, unknown> = { ...(node.callArgs ?? {}) };
  if (kwargs.mask == null) kwargs.mask = mask;
  const called = layer.call(input, kwargs as never);
  const outputs = Array.isArray(called) ? called : [called];
  const outputMask = layer.computeMask(input, (mask ?? undefined) as never) as
    | tf.Tensor
    | (tf.Tensor | null)[]
    | null
    | undefined;
  const outputMasks = Array.isArray(outputMask) ? outputMask : [outputMask ?? null];
  options.onCall?.({ layer, node, scope, outputs });
  return outputs.map((tensor, i) => [tensor, outputMasks[i] ?? null]);
}

function runInside(
  graph: Graph,
  inputs: Computed[],
  scope: readonly string[],
  options: RunGraphOptions,
): Computed[] {
  const computed = new Map<number, Computed>();
  graph.inputs.forEach((symbolic, i) => {
    computed.set(symbolic.id, inputs[i] as Computed);
  });
  const evaluate = (symbolic: SymbolicTensor): Computed => {
    const known = computed.get(symbolic.id);
    if (known) return known;
    const layer = symbolic.sourceLayer;
    const node = layer.inboundNodes[symbolic.nodeIndex] as Node;
    const arguments_ = node.inputTensors.map(evaluate);
    const results = callLayer(layer, node, arguments_, scope, options);
    node.outputTensors.forEach((output, i) => {
      computed.set(output.id, results[i] as Computed);
    });
    const result = computed.get(symbolic.id);
    if (!result) throw new Error(`layer ${layer.name} did not produce ${symbolic.name}`);
    return result;
  };
  return (options.fetch ?? graph.outputs).map(evaluate);
}

/**
 * Runs a model on concrete tensors layer by layer, as tfjs-layers' own executor does in
 * inference mode (Dropout off, BatchNormalization on its moving statistics), and reports every
 * leaf layer's outputs, inside nested models too. Differentiable: call it inside `tf.grads` or
 * `tf.variableGrads` to get gradients with every layer's activations from one forward pass.
 *
 * @returns the model's outputs (or the `fetch` tensors), one per symbolic output
 */
export function runGraph(
  model: LayersModel | Graph,
  inputs: readonly tf.Tensor[],
  options: RunGraphOptions = {},
): tf.Tensor[] {
  const graph = model as Graph;
  const seeded = inputs.map((tensor): Computed => [tensor, null]);
  return runInside(graph, seeded, [], options).map(([tensor]) => tensor);
}
