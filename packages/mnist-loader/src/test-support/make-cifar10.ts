import { crc32, gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { packTar } from 'modern-tar';
import pngjs from 'pngjs';

/** A CIFAR-10 binary batch of `count` records; record n has label n % 10 and pixel bytes of n. */
export function makeCifar10Batch(count: number, offset = 0): Uint8Array {
  const bytes = new Uint8Array(count * 3073);
  for (let n = 0; n < count; n++) {
    bytes[n * 3073] = (n + offset) % 10;
    for (let i = 0; i < 3072; i++) bytes[n * 3073 + 1 + i] = (n + offset + i * 7) % 256;
  }
  return bytes;
}

/** The files of a tiny binary release: batches of 3 records (test: 2), in cifar-10-batches-bin/. */
export function tinyBinaryRelease(): { path: string; bytes: Uint8Array }[] {
  return [
    ...[1, 2, 3, 4, 5].map((n) => ({
      path: `cifar-10-batches-bin/data_batch_${n}.bin`,
      bytes: makeCifar10Batch(3, (n - 1) * 3),
    })),
    { path: 'cifar-10-batches-bin/test_batch.bin', bytes: makeCifar10Batch(2, 100) },
    {
      path: 'cifar-10-batches-bin/batches.meta.txt',
      bytes: new TextEncoder().encode('airplane\nautomobile\n'),
    },
  ];
}

/** A `size`×`size` RGB image with a colour fixed by `seed`, as RGBA bytes. */
export function rgbaImage(seed: number, size = 32): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    rgba[i * 4] = (seed * 40) % 256;
    rgba[i * 4 + 1] = (i * 3) % 256;
    rgba[i * 4 + 2] = 255 - ((seed * 20) % 256);
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

export function encodePng(rgba: Uint8Array, size = 32): Uint8Array {
  const png = new pngjs.PNG({ width: size, height: size });
  png.data = Buffer.from(rgba);
  return pngjs.PNG.sync.write(png);
}

export function encodeJpeg(rgba: Uint8Array, size = 32): Uint8Array {
  return jpeg.encode({ data: rgba, width: size, height: size }, 90).data;
}

/** `files` as a gzipped tar archive, made with modern-tar and node:zlib. */
export async function tarGz(files: { path: string; bytes: Uint8Array }[]): Promise<Uint8Array> {
  const tar = await packTar(
    files.map(({ path, bytes }) => ({
      header: { name: path, size: bytes.length, type: 'file' as const },
      body: bytes,
    })),
  );
  return gzipSync(tar);
}

/**
 * `png` with its IHDR rewritten to declare `width` × `height` (CRC recomputed, so the header is
 * valid), the pixel data left as it was: a decompression bomb of a few hundred bytes.
 */
export function pngDeclaring(png: Uint8Array, width: number, height: number): Uint8Array {
  const copy = Uint8Array.from(png);
  const view = new DataView(copy.buffer);
  view.setUint32(16, width, false);
  view.setUint32(20, height, false);
  // The CRC covers the chunk type and data: bytes 12–28, stored at 29.
  view.setUint32(29, crc32(copy.subarray(12, 29)), false);
  return copy;
}

/** `jpeg` with its first start-of-frame rewritten to declare `width` × `height` (16 bits each). */
export function jpegDeclaring(jpegBytes: Uint8Array, width: number, height: number): Uint8Array {
  const copy = Uint8Array.from(jpegBytes);
  const view = new DataView(copy.buffer);
  let at = 2;
  while (!(copy[at + 1] === 0xc0 || copy[at + 1] === 0xc2)) at += 2 + view.getUint16(at + 2, false);
  view.setUint16(at + 5, height, false);
  view.setUint16(at + 7, width, false);
  return copy;
}
