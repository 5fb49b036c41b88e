export { type LoadMnistOptions, loadMnist } from './node/load-mnist.js';
export { parseIdx } from './node/parse-idx.js';
export * from './platform-neutral.js';
export { type BatchOptions, batches, type TensorOptions, toTensors } from './tensor-tools.js';
