import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzip } from './browser.js';

// Node 20+ has the browser's DecompressionStream, so the browser unpacker runs here as it does in a tab.
describe('browser gunzip', () => {
  const data = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251);

  it('unpacks gzip bytes to the original across many stream chunks', async () => {
    const unpacked = await gunzip(gzipSync(data), 'data.gz');
    expect(unpacked.length).toBe(data.length);
    expect(Buffer.compare(unpacked, data)).toBe(0);
  });

  it('stops a decompression bomb at the limit with GZIP_TOO_LARGE instead of unpacking it all', async () => {
    const bomb = gzipSync(new Uint8Array(8 << 20));
    expect(bomb.length).toBeLessThan(16_384);
    await expect(gunzip(bomb, 'bomb.gz', 1 << 20)).rejects.toMatchObject({
      name: 'MnistLoaderError',
      code: 'GZIP_TOO_LARGE',
      message: expect.stringContaining('bomb.gz unpacks to more than 1048576 bytes'),
    });
  });

  it('accepts data exactly at the limit', async () => {
    await expect(gunzip(gzipSync(data), 'data.gz', data.length)).resolves.toHaveLength(data.length);
  });

  it('says GZIP_CORRUPT for bytes cut short', async () => {
    const cut = gzipSync(data).subarray(0, 200);
    await expect(gunzip(cut, 'cut.gz')).rejects.toMatchObject({ code: 'GZIP_CORRUPT' });
  });
});
