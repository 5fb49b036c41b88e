import { promisify } from 'node:util';
import { constants, gunzip as gunzipCallback, gunzipSync } from 'node:zlib';
import { MnistLoaderError } from '../loader-error.js';
import { idxByteLength } from '../parse-idx-bytes.js';
import { gzipTooLarge, maxUnpackedBytes } from '../unpack-limit.js';

const gunzipAsync = promisify(gunzipCallback);

/**
 * Unpacks gzip bytes off the main thread (libuv's pool), as a Uint8Array, refusing to unpack more
 * than `maxBytes` (zlib's `maxOutputLength`, so a bomb is stopped without unpacking it).
 *
 * @throws {@link MnistLoaderError} `GZIP_CORRUPT` for bytes that do not unpack; `GZIP_TOO_LARGE`
 *   when they would unpack to more than `maxBytes`
 */
export async function gunzip(
  bytes: Uint8Array,
  source: string,
  maxBytes = maxUnpackedBytes,
  why = 'more than any dataset file',
): Promise<Uint8Array> {
  try {
    // Large output chunks: the default 16 KiB ones cost a thread-pool round trip each.
    const unpacked = await gunzipAsync(bytes, {
      chunkSize: Math.min(1 << 22, Math.max(1 << 14, maxBytes)),
      maxOutputLength: maxBytes,
    });
    return new Uint8Array(unpacked.buffer, unpacked.byteOffset, unpacked.byteLength);
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw gzipTooLarge(source, maxBytes, why, cause);
    }
    throw new MnistLoaderError({
      code: 'GZIP_CORRUPT',
      message: `${source} is not valid gzip (${(cause as Error).message}): the file is damaged or cut short; delete it and load again.`,
      cause,
    });
  }
}

/** Slack above the size an IDX header declares, so a few stray bytes still say IDX_SIZE_MISMATCH. */
const idxSlackBytes = 1 << 16;

/**
 * Unpacks a gzip IDX file, bounded by the size its own header declares (plus 64 KiB, at most
 * {@link maxUnpackedBytes}): the header is read from the first 4 KiB of gzip data (which unpack
 * to at most ~4 MiB), then the whole file is unpacked with that limit.
 *
 * @throws {@link MnistLoaderError} `GZIP_CORRUPT`; `GZIP_TOO_LARGE` when the data unpacks to
 *   more than its header declares
 */
export async function gunzipIdx(
  bytes: Uint8Array,
  source: string,
  maxBytes = maxUnpackedBytes,
): Promise<Uint8Array> {
  let declared: number | undefined;
  try {
    const start = gunzipSync(bytes.subarray(0, 4096), {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: 1 << 23,
    });
    declared = idxByteLength(start);
  } catch {
    // Not unpackable from its start: the full unpack below says why.
  }
  if (declared === undefined || declared + idxSlackBytes > maxBytes) {
    return gunzip(bytes, source, maxBytes);
  }
  return gunzip(
    bytes,
    source,
    declared + idxSlackBytes,
    `while its IDX header declares ${declared} bytes`,
  );
}
