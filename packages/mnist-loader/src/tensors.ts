export { type BatchOptions, batches, type TensorOptions, toTensors } from './tensor-tools.js';
