import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageAugmentation } from './augment.js';
import type { AdversarialError } from './errors.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Four 6×6 RGB images with distinct, asymmetric contents.
const images = () =>
  tf.tidy(() => tf.reshape(tf.div(tf.range(0, 4 * 6 * 6 * 3), 432), [4, 6, 6, 3]) as tf.Tensor4D);

describe('imageAugmentation', () => {
  it('repeats for a seed and differs for another seed', () => {
    const augment = imageAugmentation();
    const x = images();
    const [a, b, c] = [7, 7, 8].map((seed) => augment(x, seed));
    expect(Array.from(a?.dataSync() ?? [])).toEqual(Array.from(b?.dataSync() ?? []));
    expect(Array.from(a?.dataSync() ?? [])).not.toEqual(Array.from(c?.dataSync() ?? []));
    tf.dispose([x, a, b, c] as tf.Tensor[]);
  });

  it('with no shift, leaves each image as it is or mirrors it left–right, both seen', () => {
    const x = images();
    const out = imageAugmentation({ widthShiftRange: 0, heightShiftRange: 0 })(x, 3);
    const mirrored = tf.reverse(x, 2);
    let flips = 0;
    for (let i = 0; i < 4; i++) {
      const pick = (t: tf.Tensor) => Array.from(tf.slice(t, [i], [1]).dataSync());
      const got = pick(out).map((v) => Math.round(v * 1e4));
      const same = pick(x).map((v) => Math.round(v * 1e4));
      const flipped = pick(mirrored).map((v) => Math.round(v * 1e4));
      expect([same, flipped]).toContainEqual(got);
      if (got.join() === flipped.join()) flips++;
    }
    expect(flips).toBeGreaterThan(0);
    expect(flips).toBeLessThan(4);
    tf.dispose([x, out, mirrored]);
  });

  it('shifts by at most the range and repeats the edge instead of filling with black', () => {
    const x = tf.fill([8, 10, 10, 3], 0.5) as tf.Tensor4D;
    const out = imageAugmentation({
      horizontalFlip: false,
      widthShiftRange: 0.3,
      heightShiftRange: 0.3,
    })(x, 1);
    expect(Math.min(...out.dataSync())).toBeCloseTo(0.5, 5);
    tf.dispose([x, out]);
  });

  it('rejects a shift range outside [0, 1)', () => {
    try {
      imageAugmentation({ widthShiftRange: 2 });
      expect.unreachable();
    } catch (error) {
      expect((error as AdversarialError).code).toBe('INVALID_OPTION');
    }
  });
});
