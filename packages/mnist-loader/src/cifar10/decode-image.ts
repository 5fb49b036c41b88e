import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { MnistLoaderError } from '../loader-error.js';

/** Decoded pixels: width × height RGBA bytes, row-major. */
export interface DecodedImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

const isPng = (bytes: Uint8Array) =>
  bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e;
const isJpeg = (bytes: Uint8Array) => bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8;

/**
 * Decodes a PNG (pngjs) or JPEG (jpeg-js) file, recognised by its magic bytes. Both decoders are
 * pure JavaScript with integer inverse DCTs, so the pixels are the same on every machine (native
 * decoders such as libjpeg-turbo differ by version and CPU in their upsampling and IDCT).
 *
 * @throws {@link MnistLoaderError} `IMAGE_DECODE_FAILED` for another format or a damaged file
 */
export function decodeImage(bytes: Uint8Array, source: string): DecodedImage {
  try {
    if (isPng(bytes)) {
      const png = pngjs.PNG.sync.read(
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      );
      return { width: png.width, height: png.height, rgba: png.data };
    }
    if (isJpeg(bytes)) {
      const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
      return { width: image.width, height: image.height, rgba: image.data };
    }
  } catch (cause) {
    throw new MnistLoaderError({
      code: 'IMAGE_DECODE_FAILED',
      message: `${source} could not be decoded (${(cause as Error).message}): the image is damaged; replace it.`,
      cause,
    });
  }
  throw new MnistLoaderError({
    code: 'IMAGE_DECODE_FAILED',
    message: `${source} is neither PNG nor JPEG (by its first bytes); image folders may hold only .png and .jpg files.`,
  });
}
