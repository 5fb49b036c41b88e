import '@tensorflow/tfjs-backend-wasm';
import { MaskDetector } from '@actlab/mask-detector';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('wasm'); // the face detector takes ~0.1 s per view on wasm, seconds on cpu
const detector = await MaskDetector.load(); // the shipped classifier and face detector
const photo = process.argv[2] ?? 'photo.jpg'; // a PNG/JPEG path, its bytes or a [h, w, 3] tensor
for (const face of await detector.detect(photo)) {
  const { x, y, width, height } = face.box; // in photo pixels
  const where = [x, y, width, height].map(Math.round).join(',');
  console.log(
    `${face.label} ${face.confidence.toFixed(2)} at ${where} (face ${face.score.toFixed(2)})`,
  );
}
detector.dispose();
