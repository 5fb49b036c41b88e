export { FaceDetector } from './face-detector.js';
export { MaskDetector } from './mask-detector.js';
export * from './platform-neutral.js';
