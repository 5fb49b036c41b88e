import { gzipSync } from 'node:zlib';
import { ActlabError } from '@actlab/errors';
import { describe, expect, it } from 'vitest';
import { pairImagesWithLabels } from './labelled-set.js';
import { parseIdx } from './node/parse-idx.js';
import { makeIdx } from './test-support/make-idx.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return ActlabError.isInstance(error) ? error.code : `not an actlab error: ${String(error)}`;
  }
  return 'no error';
}

describe('parseIdx', () => {
  it.each([
    [0x08, 'u8', [0, 7, 255]],
    [0x09, 'i8', [-128, 0, 127]],
    [0x0b, 'i16', [-32768, 1, 32767]],
    [0x0c, 'i32', [-2147483648, 5, 2147483647]],
    [0x0d, 'f32', [-1.5, 0, 3.25]],
    [0x0e, 'f64', [-1e300, Math.PI, 2.5]],
  ])('reads type code 0x%s as %s with big-endian values', async (code, type, values) => {
    const parsed = await parseIdx(
      makeIdx([3], values, code, { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[code]),
    );
    expect(parsed.type).toBe(type);
    expect(parsed.dims).toEqual([3]);
    expect(Array.from(parsed.data)).toEqual(values);
  });

  it('reads multi-byte values whose data starts at an unaligned offset (rank-2 header)', async () => {
    const values = [1.5, -2.25, 1e-300, 7, -0, 3];
    const parsed = await parseIdx(makeIdx([2, 3], values, 0x0e, 8));
    expect(parsed.dims).toEqual([2, 3]);
    expect(parsed.data).toBeInstanceOf(Float64Array);
    expect(Array.from(parsed.data)).toEqual(values);
    const ints = await parseIdx(makeIdx([1, 1, 3], [-1, 65536, 7], 0x0c, 4));
    expect(Array.from(ints.data)).toEqual([-1, 65536, 7]);
  });

  it('gives u8 data as a view on the unpacked bytes, without a copy', async () => {
    const bytes = makeIdx([2, 2], [1, 2, 3, 4]);
    const parsed = await parseIdx(bytes);
    expect(parsed.data.buffer).toBe(bytes.buffer);
    expect(parsed.data.byteOffset).toBe(12);
  });

  it('reads gzip data, detected by its magic bytes, and big-endian dimensions', async () => {
    const bytes = makeIdx(
      [2, 300, 1],
      Array.from({ length: 600 }, (_, i) => i % 256),
    );
    const parsed = await parseIdx(new Uint8Array(gzipSync(bytes)));
    expect(parsed.dims).toEqual([2, 300, 1]);
    expect(parsed.data[599]).toBe(599 % 256);
  });

  it('rejects an IDX file whose magic number is wrong', async () => {
    const bytes = makeIdx([2], [1, 2]);
    bytes[0] = 0x50;
    expect(await codeOf(parseIdx(bytes))).toBe('IDX_BAD_MAGIC');
  });

  it('rejects an unknown type code, naming the valid ones', async () => {
    await expect(parseIdx(makeIdx([1], [1], 0x07))).rejects.toThrow(/0x08 \(u8\)/);
    expect(await codeOf(parseIdx(makeIdx([1], [1], 0x07)))).toBe('IDX_UNKNOWN_TYPE');
  });

  it('rejects dimensions that disagree with the byte count', async () => {
    const bytes = makeIdx([2, 2], [1, 2, 3, 4]);
    expect(await codeOf(parseIdx(bytes.subarray(0, bytes.length - 1)))).toBe('IDX_TRUNCATED');
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(await codeOf(parseIdx(longer))).toBe('IDX_SIZE_MISMATCH');
    expect(await codeOf(parseIdx(bytes.subarray(0, 6)))).toBe('IDX_TRUNCATED');
  });

  it('rejects truncated gzip and an empty file', async () => {
    const gz = new Uint8Array(gzipSync(makeIdx([100], new Array(100).fill(3))));
    expect(await codeOf(parseIdx(gz.subarray(0, gz.length - 10)))).toBe('GZIP_CORRUPT');
    expect(await codeOf(parseIdx(new Uint8Array(0)))).toBe('IDX_EMPTY');
  });

  it('refuses a gzip IDX file that unpacks to far more than its header declares (a bomb) with GZIP_TOO_LARGE', async () => {
    // 18 bytes of IDX ([10] u8) followed by 64 MiB of zeros: 64 KiB of gzip.
    const unpacked = new Uint8Array(18 + 2 ** 26);
    unpacked.set(makeIdx([10], new Array(10).fill(1)));
    const bomb = new Uint8Array(gzipSync(unpacked));
    expect(bomb.length).toBeLessThan(2 ** 17);
    const error = await parseIdx(bomb, 'bomb.gz').catch((caught: unknown) => caught);
    expect(ActlabError.isInstance(error) && error.code).toBe('GZIP_TOO_LARGE');
    expect((error as Error).message).toContain('bomb.gz unpacks to more than 65554 bytes');
    expect((error as Error).message).toContain('its IDX header declares 18 bytes');
  });

  it('rejects a label count different from the image count', async () => {
    const images = await parseIdx(makeIdx([3, 2, 2], new Array(12).fill(0)));
    const labels = await parseIdx(makeIdx([2], [1, 2]));
    expect(() => pairImagesWithLabels(images, labels, 'test')).toThrow(/3 images but 2 labels/);
  });
});
