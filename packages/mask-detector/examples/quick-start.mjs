import '@tensorflow/tfjs-backend-cpu';
import { MaskDetector } from '@actlab/mask-detector';
import * as tf from '@tensorflow/tfjs-core';

// The shipped weights. A face is a PNG/JPEG path, its bytes, or a [h, w, 3] tensor of 0–255.
const detector = await MaskDetector.load();
const photo = tf.randomUniform([120, 160, 3], 0, 255, 'int32', 7); // stand-in for a real photo
const face = tf.slice(photo, [10, 20, 0], [64, 56, 3]);
console.log(await detector.classify(face)); // { label, probability, probabilities }
const boxes = [{ x: 20, y: 10, width: 56, height: 64 }];
const [first] = await detector.classifyFaces(photo, boxes);
console.log(first.label, first.probability.toFixed(3));
tf.dispose([photo, face]);
detector.dispose();
