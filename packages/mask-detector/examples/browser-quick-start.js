import { MaskDetector } from '@actlab/mask-detector/browser';
import modelUrl from '@actlab/mask-detector/models/mask-detector/model.json?url';
import weightsUrl from '@actlab/mask-detector/models/mask-detector/weights.bin?url';
import * as tf from '@tensorflow/tfjs-core';
import faceUrl from './face.jpg'; // a face crop bundled with your app

const detector = await MaskDetector.load(modelUrl, { weightsUrl });
const image = new Image();
image.src = faceUrl;
await image.decode();
const face = tf.browser.fromPixels(image); // [h, w, 3], 0–255
console.log('mask', await detector.classify(face)); // { label, probability, probabilities }
face.dispose();
detector.dispose();
