import { ActlabError } from '@actlab/errors';
import { describe, expect, it } from 'vitest';
import { makeCifar10Batch, tinyBinaryRelease } from '../test-support/make-cifar10.js';
import { cifar10FromBatchFiles, parseCifar10Batch } from './parse-cifar10-binary.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (ActlabError.isInstance(error)) return error.code;
    throw error;
  }
  throw new Error('expected an error');
}

describe('parseCifar10Batch', () => {
  it('turns planar R, G, B records into interleaved HWC pixels with their labels', () => {
    const bytes = makeCifar10Batch(2);
    const set = parseCifar10Batch(bytes);
    expect([set.count, set.height, set.width, set.channels]).toEqual([2, 32, 32, 3]);
    expect(Array.from(set.labels)).toEqual([0, 1]);
    // Pixel (row 1, column 2) of record 1: red at 1 + 34, green at 1 + 1024 + 34, blue + 2048.
    const record = 3073;
    const pixel = 32 + 2;
    const at = (1 * 1024 + pixel) * 3;
    expect(Array.from(set.images.subarray(at, at + 3))).toEqual([
      bytes[record + 1 + pixel],
      bytes[record + 1 + 1024 + pixel],
      bytes[record + 1 + 2048 + pixel],
    ]);
  });

  it('rejects a file that is not a whole number of 3 073-byte records', () => {
    expect(codeOf(() => parseCifar10Batch(makeCifar10Batch(2).subarray(0, 5000)))).toBe(
      'CIFAR_BAD_RECORD_LENGTH',
    );
    expect(codeOf(() => parseCifar10Batch(new Uint8Array(0)))).toBe('CIFAR_BAD_RECORD_LENGTH');
  });

  it('rejects a label byte above 9', () => {
    const bytes = makeCifar10Batch(1);
    bytes[0] = 12;
    expect(codeOf(() => parseCifar10Batch(bytes))).toBe('LABEL_OUT_OF_RANGE');
  });
});

describe('cifar10FromBatchFiles', () => {
  it('joins data_batch_1…5 in order as train and reads test_batch as test', () => {
    const data = cifar10FromBatchFiles(tinyBinaryRelease(), 'tiny');
    expect(data.train.count).toBe(15);
    expect(Array.from(data.train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4]);
    expect(Array.from(data.test.labels)).toEqual([0, 1]);
  });

  it('names the missing batch file', () => {
    const files = tinyBinaryRelease().filter((file) => !file.path.endsWith('data_batch_4.bin'));
    let message = '';
    try {
      cifar10FromBatchFiles(files, 'tiny');
    } catch (error) {
      expect((error as ActlabError).code).toBe('CIFAR_MISSING_BATCH');
      message = (error as Error).message;
    }
    expect(message).toContain('data_batch_4.bin');
  });
});
