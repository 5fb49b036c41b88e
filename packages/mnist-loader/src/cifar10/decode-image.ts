import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { MnistLoaderError } from '../loader-error.js';

/**
 * Names the decoders and their versions (jpeg-js, pngjs) and the RGB layout, in the name of the
 * decoded cache: other decoders give other pixels, so they get another cache file.
 */
export const imageDecoderId = 'jpegjs0.4.4-pngjs7.0.0-rgb1';

/** Decoded pixels: width × height RGBA bytes, row-major. */
export interface DecodedImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

const isPng = (bytes: Uint8Array) =>
  bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e;
const isJpeg = (bytes: Uint8Array) => bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8;

/** Width and height as a PNG's IHDR or a JPEG's start-of-frame declares them, read without decoding. */
export function declaredImageSize(
  bytes: Uint8Array,
): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isPng(bytes)) {
    // Signature (8), IHDR length and type (8), then width and height, big-endian.
    return bytes.length >= 24
      ? { width: view.getUint32(16, false), height: view.getUint32(20, false) }
      : undefined;
  }
  if (!isJpeg(bytes)) return undefined;
  // Walk the marker segments to the first SOFn (C0–CF except DHT C4, JPG C8, DAC CC).
  let at = 2;
  while (at + 9 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] as number;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(at + 5, false), width: view.getUint16(at + 7, false) };
    }
    at += 2 + view.getUint16(at + 2, false);
  }
  return undefined;
}

/**
 * Decodes a PNG (pngjs) or JPEG (jpeg-js) file, recognised by its magic bytes. Both decoders are
 * pure JavaScript with integer inverse DCTs, so the pixels are the same on every machine (native
 * decoders such as libjpeg-turbo differ by version and CPU in their upsampling and IDCT).
 *
 * The size the file declares is checked against `expected` before decoding: a 100-byte PNG may
 * declare 30 000 × 30 000 pixels, which pngjs would try to inflate (minutes and gigabytes), and
 * beyond 2³¹ bytes node:zlib aborts the process.
 *
 * @param expected - the size every image must have
 * @throws {@link MnistLoaderError} `IMAGE_DECODE_FAILED` for another format or a damaged file,
 *   `BAD_IMAGE_SIZE` when the image is not `expected.width` × `expected.height`
 */
export function decodeImage(
  bytes: Uint8Array,
  source: string,
  expected: { width: number; height: number },
): DecodedImage {
  const badSize = (width: number, height: number) =>
    new MnistLoaderError({
      code: 'BAD_IMAGE_SIZE',
      message: `${source} is ${width}×${height}, expected ${expected.width}×${expected.height}; resize it or remove it.`,
    });
  const declared = declaredImageSize(bytes);
  if (declared && (declared.width !== expected.width || declared.height !== expected.height)) {
    throw badSize(declared.width, declared.height);
  }
  let image: DecodedImage | undefined;
  try {
    if (isPng(bytes)) {
      const png = pngjs.PNG.sync.read(
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      );
      image = { width: png.width, height: png.height, rgba: png.data };
    } else if (isJpeg(bytes)) {
      const limit = (expected.width * expected.height) / 1e6;
      const jpegImage = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: limit,
      });
      image = { width: jpegImage.width, height: jpegImage.height, rgba: jpegImage.data };
    }
  } catch (cause) {
    throw new MnistLoaderError({
      code: 'IMAGE_DECODE_FAILED',
      message: `${source} could not be decoded (${(cause as Error).message}): the image is damaged; replace it.`,
      cause,
    });
  }
  if (!image) {
    throw new MnistLoaderError({
      code: 'IMAGE_DECODE_FAILED',
      message: `${source} is neither PNG nor JPEG (by its first bytes); image folders may hold only .png and .jpg files.`,
    });
  }
  if (image.width !== expected.width || image.height !== expected.height) {
    throw badSize(image.width, image.height);
  }
  return image;
}
