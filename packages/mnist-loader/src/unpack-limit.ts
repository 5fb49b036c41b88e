import { MnistLoaderError } from './loader-error.js';

/**
 * The most bytes any gzip file is unpacked to (1 GiB), in Node and in a browser: above every
 * dataset file we read (MNIST's training images unpack to 47 MB, CIFAR-10's tar to 185 MB,
 * EMNIST's largest IDX to 550 MB), far below what would exhaust memory. A decompression bomb
 * stops here.
 */
export const maxUnpackedBytes = 2 ** 30;

/** The `GZIP_TOO_LARGE` error both unpackers throw. */
export function gzipTooLarge(
  source: string,
  maxBytes: number,
  why: string,
  cause?: unknown,
): MnistLoaderError {
  return new MnistLoaderError({
    code: 'GZIP_TOO_LARGE',
    message: `${source} unpacks to more than ${maxBytes} bytes, ${why}: it is not a file of the dataset (a damaged or crafted file); delete it and load again.`,
    ...(cause === undefined ? {} : { cause }),
  });
}
