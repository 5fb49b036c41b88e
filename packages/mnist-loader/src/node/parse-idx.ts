import { type IdxArray, isGzip, parseIdxBytes } from '../parse-idx-bytes.js';
import { gunzipIdx } from './gunzip.js';

/**
 * Parses an IDX file's bytes, gzip or not (detected by the magic bytes 1f 8b; unpacked with
 * node:zlib).
 *
 * @param bytes - the file's content
 * @param source - a name for error messages, such as the path
 * @throws {@link MnistLoaderError} `GZIP_CORRUPT`, `GZIP_TOO_LARGE` (unpacks to more than its
 *   header declares: a decompression bomb) and the IDX errors of the format
 */
export async function parseIdx(bytes: Uint8Array, source = 'IDX data'): Promise<IdxArray> {
  return parseIdxBytes(isGzip(bytes) ? await gunzipIdx(bytes, source) : bytes, source);
}
