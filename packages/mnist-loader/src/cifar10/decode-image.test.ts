import { describe, expect, it } from 'vitest';
import {
  encodeJpeg,
  encodePng,
  jpegDeclaring,
  pngDeclaring,
  rgbaImage,
} from '../test-support/make-cifar10.js';
import { declaredImageSize, decodeImage } from './decode-image.js';

const size = { width: 32, height: 32 };

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error('expected an error');
}

describe('decodeImage', () => {
  it('decodes a PNG and a JPEG of the expected size to RGBA', () => {
    for (const bytes of [encodePng(rgbaImage(1)), encodeJpeg(rgbaImage(1))]) {
      const image = decodeImage(bytes, 'x', size);
      expect([image.width, image.height, image.rgba.length]).toEqual([32, 32, 4096]);
    }
  });

  it('reads the size a PNG or JPEG declares without decoding it', () => {
    expect(declaredImageSize(encodePng(rgbaImage(1), 8))).toEqual({ width: 8, height: 8 });
    expect(declaredImageSize(encodeJpeg(rgbaImage(1), 8))).toEqual({ width: 8, height: 8 });
    expect(declaredImageSize(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });

  // Found by fuzzing: pngjs inflated what the header declared, 30 000² pixels from a few hundred
  // bytes ran for minutes, and 2·10⁹ × 2·10⁹ made node:zlib abort the whole process.
  it('refuses a PNG declaring 30 000 × 30 000 pixels before inflating it', () => {
    const bomb = pngDeclaring(encodePng(rgbaImage(1)), 30_000, 30_000);
    const started = performance.now();
    expect(codeOf(() => decodeImage(bomb, 'bomb.png', size))).toBe('BAD_IMAGE_SIZE');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses a PNG declaring 2·10⁹ × 2·10⁹ pixels with a typed error, not a process abort', () => {
    const bomb = pngDeclaring(encodePng(rgbaImage(1)), 2e9, 2e9);
    expect(() => decodeImage(bomb, 'bomb.png', size)).toThrow(
      /2000000000×2000000000, expected 32×32/,
    );
  });

  it('refuses a JPEG whose frame declares another size before decoding it', () => {
    const large = jpegDeclaring(encodeJpeg(rgbaImage(1)), 60_000, 60_000);
    expect(codeOf(() => decodeImage(large, 'large.jpg', size))).toBe('BAD_IMAGE_SIZE');
  });

  it('says what a file that is neither PNG nor JPEG is', () => {
    expect(() => decodeImage(new Uint8Array(100), 'x.gif', size)).toThrow(/neither PNG nor JPEG/);
  });
});
