import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { makeIdx } from '../test-support/make-idx.js';
import { gunzip, gunzipIdx } from './gunzip.js';

/** An IDX header declaring `dims` of u8, then `zeros` zero bytes, gzipped. */
function gzipIdxWithZeros(dims: number[], zeros: number): Uint8Array {
  const header = makeIdx(dims, []);
  const unpacked = new Uint8Array(header.length + zeros);
  unpacked.set(header);
  return new Uint8Array(gzipSync(unpacked));
}

describe('gunzipIdx', () => {
  it('unpacks a gzip IDX file of the size its header declares', async () => {
    const idx = makeIdx([3, 2], [1, 2, 3, 4, 5, 6]);
    expect(await gunzipIdx(new Uint8Array(gzipSync(idx)), 'ok.gz')).toEqual(idx);
  });

  it('stops at the maximum when the header declares more than it (GZIP_TOO_LARGE)', async () => {
    // The header claims 2³² × 2³² bytes; the data is 4 MiB; the maximum here is 1 MiB.
    const bomb = gzipIdxWithZeros([2 ** 32 - 1, 2 ** 32 - 1], 2 ** 22);
    await expect(gunzipIdx(bomb, 'huge.gz', 2 ** 20)).rejects.toMatchObject({
      code: 'GZIP_TOO_LARGE',
      message: expect.stringContaining('huge.gz unpacks to more than 1048576 bytes'),
    });
  });

  it('stops at the maximum when the start does not even unpack to an IDX header', async () => {
    const bomb = new Uint8Array(gzipSync(new Uint8Array(2 ** 22).fill(7)));
    await expect(gunzipIdx(bomb, 'sevens.gz', 2 ** 20)).rejects.toMatchObject({
      code: 'GZIP_TOO_LARGE',
    });
  });
});

describe('gunzip', () => {
  it('says GZIP_CORRUPT for bytes that start like gzip but do not unpack', async () => {
    await expect(gunzip(new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2]), 'bad.gz')).rejects.toMatchObject({
      code: 'GZIP_CORRUPT',
    });
  });
});
