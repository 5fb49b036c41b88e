import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../cifar10/decode-image.js';
import { labelCounts } from '../set-tools.js';
import { loadCifar10 } from './load-cifar10.js';

// The real JPEG copy (cifar-10/cifar-10-images.tar.gz) and the 20 lossless test images
// (cifar10-samples/*.png) under ACTLAB_DATA_DIR. Decoding all 60 000 JPEGs takes 8–30 s of CPU on
// the shared 2-core machine (README, measured 2026-12-05), so it runs in CI and when asked for with
// ACTLAB_SLOW_TESTS=1, beside a data folder that has the files.
const dataDir = process.env.ACTLAB_DATA_DIR ?? '';
const archive = join(dataDir, 'cifar-10', 'cifar-10-images.tar.gz');
const samples = join(dataDir, 'cifar10-samples');
const enabled =
  (process.env.CI === 'true' || process.env.ACTLAB_SLOW_TESTS === '1') &&
  existsSync(archive) &&
  existsSync(samples);

describe.skipIf(!enabled)('loadCifar10 on the real JPEG copy', () => {
  it('verifies the archive, reads 50 000 + 10 000 images in class order and matches the 20 lossless test images', async () => {
    // No decoded cache: this checks the decoders, and leaves no 184 MB file in the home folder.
    const data = await loadCifar10({
      format: 'images',
      download: false,
      systemDirs: [],
      decodedCache: false,
    });
    expect([data.train.count, data.test.count]).toEqual([50000, 10000]);
    expect(labelCounts(data.train)).toEqual(new Array(10).fill(5000));
    expect(labelCounts(data.test)).toEqual(new Array(10).fill(1000));

    // Sample i with label L is test/<L>/<k>.jpg, k = its rank among the samples of label L.
    const names = (await readdir(samples)).filter((name) => name.endsWith('.png')).sort();
    expect(names.length).toBe(20);
    const rank = new Array<number>(10).fill(0);
    const errors: number[] = [];
    const mismatched: number[] = [];
    for (const name of names) {
      const label = Number(/_(\d)\.png$/.exec(name)?.[1]);
      const index = label * 1000 + (rank[label] as number);
      rank[label] = (rank[label] as number) + 1;
      const png = decodeImage(await readFile(join(samples, name)), name, {
        width: 32,
        height: 32,
      }).rgba;
      const meanError = (jpegIndex: number) => {
        const jpeg = data.test.images.subarray(jpegIndex * 3072, (jpegIndex + 1) * 3072);
        let sum = 0;
        for (let p = 0; p < 1024; p++) {
          for (let c = 0; c < 3; c++) {
            sum += Math.abs((png[p * 4 + c] as number) - (jpeg[p * 3 + c] as number));
          }
        }
        return sum / 3072;
      };
      errors.push(meanError(index));
      mismatched.push(meanError((index + 500) % 10000));
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    // The data README: 4.5 to 8.1 per image, 6.5 on average; mismatched pairs 64 to 90.
    expect(Math.max(...errors)).toBeLessThan(10);
    expect(mean(errors)).toBeGreaterThan(5);
    expect(mean(errors)).toBeLessThan(8);
    expect(Math.min(...mismatched)).toBeGreaterThan(25);
    console.log(
      `JPEG copy vs lossless PNG, mean |Δ| per channel: ${mean(errors).toFixed(2)} (${Math.min(...errors).toFixed(2)}–${Math.max(...errors).toFixed(2)}); mismatched pairs ${mean(mismatched).toFixed(1)}`,
    );
  }, 400_000);
});
