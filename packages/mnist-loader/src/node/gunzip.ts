import { promisify } from 'node:util';
import { gunzip as gunzipCallback } from 'node:zlib';
import { MnistLoaderError } from '../loader-error.js';

const gunzipAsync = promisify(gunzipCallback);

/** Unpacks gzip bytes off the main thread (libuv's pool), as a Uint8Array. */
export async function gunzip(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  try {
    // Large output chunks: the default 16 KiB ones cost a thread-pool round trip each.
    const unpacked = await gunzipAsync(bytes, { chunkSize: 1 << 22 });
    return new Uint8Array(unpacked.buffer, unpacked.byteOffset, unpacked.byteLength);
  } catch (cause) {
    throw new MnistLoaderError({
      code: 'GZIP_CORRUPT',
      message: `${source} is not valid gzip (${(cause as Error).message}): the file is damaged or cut short; delete it and load again.`,
      cause,
    });
  }
}
