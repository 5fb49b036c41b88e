export * from './platform-neutral.js';
export { MaskDetector } from './mask-detector.js';
