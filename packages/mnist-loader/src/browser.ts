import { type DownloadProgress, defaultStallTimeoutMs } from './download-progress.js';
import {
  type DatasetName,
  type KnownDataset,
  resolveDataset,
  type SourceFile,
} from './known-files.js';
import { assembleDataset, type Dataset } from './labelled-set.js';
import { MnistLoaderError } from './loader-error.js';
import { type IdxArray, isGzip, parseIdxBytes } from './parse-idx-bytes.js';
import { gzipTooLarge, maxUnpackedBytes } from './unpack-limit.js';

export * from './platform-neutral.js';

/** Where {@link loadMnist} fetches from in a browser. */
export interface BrowserLoadOptions {
  /**
   * URL of a folder holding `<dataset>/<file>.gz` (e.g. your own static files); a relative one
   * such as `'/datasets/'` is read against the page's address (`location.href`), as `fetch` does.
   */
  baseUrl: string | URL;
  /** Known dataset name (default `mnist`) or a description of another IDX dataset. */
  dataset?: DatasetName | KnownDataset;
  /** Cache API cache name for verified files; false turns caching off. Default `actlab-datasets`. */
  cache?: string | false;
  /** Drop a download after this long without a byte. Default 30 000. */
  stallTimeoutMs?: number;
  /** Bytes received so far, per file. */
  onProgress?: (progress: DownloadProgress) => void;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  if (typeof crypto === 'undefined' || !crypto.subtle) {
    throw new MnistLoaderError({
      code: 'CHECKSUM_UNAVAILABLE',
      message:
        'Web Crypto (crypto.subtle) is missing, so no file can be verified: browsers offer it only to secure pages. Serve the page over https (or from localhost).',
    });
  }
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether `bytes` are the known file: its original `.gz` bytes, or its unpacked bytes, which is
 * what a page gets when the server sends the `.gz` file with `Content-Encoding: gzip` (as
 * `vite dev` and `vite preview` do) and the browser unpacks it on the way.
 */
async function isKnownFile(bytes: Uint8Array, file: SourceFile): Promise<boolean> {
  const digest = await sha256Hex(bytes);
  if (digest === file.sha256) return true;
  return !isGzip(bytes) && file.unpackedSha256 !== null && digest === file.unpackedSha256;
}

/** `baseUrl` as an absolute URL: a relative one is read against the page's address. */
function resolveBaseUrl(baseUrl: string | URL): URL {
  const page = typeof location === 'undefined' ? undefined : location.href;
  try {
    return new URL(baseUrl, page);
  } catch (cause) {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `baseUrl "${String(baseUrl)}" is not a URL${page ? '' : ' (and there is no page address to read a relative one against)'}: pass an absolute URL such as new URL('/datasets/', location.href).`,
      cause,
    });
  }
}

/**
 * @internal Unpacks gzip bytes with the browser's DecompressionStream, chunk by chunk, and stops
 * (cancelling the stream) once more than `maxBytes` come out, so a decompression bomb never fills
 * the tab's memory.
 */
export async function gunzip(
  bytes: Uint8Array,
  source: string,
  maxBytes = maxUnpackedBytes,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const reader = new Blob([bytes as BlobPart])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'))
      .getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw gzipTooLarge(source, maxBytes, 'more than any dataset file');
      }
      chunks.push(value);
    }
  } catch (cause) {
    if (MnistLoaderError.isInstance(cause)) throw cause;
    throw new MnistLoaderError({
      code: 'GZIP_CORRUPT',
      message: `${source} is not valid gzip (${(cause as Error).message}): the file is damaged or cut short.`,
      cause,
    });
  }
  const unpacked = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    unpacked.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return unpacked;
}

/**
 * Parses an IDX file's bytes in a browser, gzip or not (detected by the magic bytes 1f 8b;
 * unpacked with `DecompressionStream`).
 *
 * @param bytes - the file's content
 * @param source - a name for error messages, such as the URL
 * @throws {@link MnistLoaderError} `GZIP_CORRUPT` and the IDX format errors
 */
export async function parseIdx(bytes: Uint8Array, source = 'IDX data'): Promise<IdxArray> {
  return parseIdxBytes(isGzip(bytes) ? await gunzip(bytes, source) : bytes, source);
}

/** The response body, reporting progress; `touch` re-arms the stall timer on every chunk. */
async function readWithProgress(
  response: Response,
  report: (receivedBytes: number, totalBytes: number | null) => void,
  knownBytes: number | null,
  touch: () => void,
): Promise<Uint8Array> {
  const header = Number(response.headers.get('content-length'));
  const totalBytes = Number.isFinite(header) && header > 0 ? header : knownBytes;
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let receivedBytes = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    touch();
    chunks.push(value);
    receivedBytes += value.byteLength;
    report(receivedBytes, totalBytes);
  }
  const bytes = new Uint8Array(receivedBytes);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function download(
  url: string,
  dataset: Pick<KnownDataset, 'name'>,
  file: SourceFile,
  options: BrowserLoadOptions,
): Promise<Uint8Array> {
  const stallTimeoutMs = options.stallTimeoutMs ?? defaultStallTimeoutMs;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), stallTimeoutMs);
  };
  const failed = (cause: unknown, receivedSoFar: string) =>
    new MnistLoaderError({
      code: 'DOWNLOAD_FAILED',
      message: `${url}: ${controller.signal.aborted ? `no data for ${stallTimeoutMs} ms` : (cause as Error).message}${receivedSoFar}. Check that the server is up, or raise stallTimeoutMs.`,
      cause,
    });
  touch();
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal });
    } catch (cause) {
      throw failed(cause, '');
    }
    if (!response.ok) {
      throw new MnistLoaderError({
        code: response.status === 404 ? 'DATASET_NOT_FOUND' : 'DOWNLOAD_FAILED',
        message: `${url}: HTTP ${response.status}. Serve the original ${dataset.name} files under ${new URL(`${dataset.name}/`, url).href}.`,
      });
    }
    try {
      return await readWithProgress(
        response,
        (receivedBytes, totalBytes) =>
          options.onProgress?.({
            dataset: dataset.name,
            file: file.name,
            url,
            receivedBytes,
            totalBytes,
          }),
        file.bytes,
        touch,
      );
    } catch (cause) {
      throw failed(cause, ' (the download broke off)');
    }
  } finally {
    clearTimeout(timer);
  }
}

/** @internal Fetches `<baseUrl><dataset>/<file>`, verified by sha256 and kept in the Cache API. */
export async function fetchVerified(
  dataset: Pick<KnownDataset, 'name'>,
  file: SourceFile,
  options: BrowserLoadOptions,
): Promise<Uint8Array> {
  const url = new URL(`${dataset.name}/${file.name}`, resolveBaseUrl(options.baseUrl)).toString();
  const cacheName = options.cache === undefined ? 'actlab-datasets' : options.cache;
  // The cache only saves time: where it is missing or refused (private mode), load without it.
  const cache =
    cacheName && typeof caches !== 'undefined'
      ? await caches.open(cacheName).catch(() => null)
      : null;
  const cached = await cache?.match(url).catch(() => undefined);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    if (await isKnownFile(bytes, file)) return bytes;
    await cache?.delete(url);
  }
  const bytes = await download(url, dataset, file, options);
  if (!(await isKnownFile(bytes, file))) {
    const unpackedUnknown = !isGzip(bytes) && file.unpackedSha256 === null;
    throw new MnistLoaderError({
      code: 'CHECKSUM_MISMATCH',
      message: unpackedUnknown
        ? `${url}: the ${bytes.length} bytes received are not gzip (the server probably sent the file with Content-Encoding: gzip and the browser unpacked it), and no sha256 of the unpacked ${dataset.name} file is known to check them against; nothing was cached. Serve the .gz file as is (Content-Type application/gzip, no Content-Encoding).`
        : `${url}: sha256 of the ${bytes.length} bytes received matches neither the known ${dataset.name} file nor its unpacked bytes; it was not cached. Serve the original, unmodified file.`,
    });
  }
  await cache
    ?.put(url, new Response(bytes as BodyInit, { headers: { 'content-type': 'application/gzip' } }))
    .catch(() => {});
  return bytes;
}

/**
 * Loads a dataset in a browser from `baseUrl`, verifying each file's sha256 with Web Crypto and
 * keeping verified files in the Cache API, so the next page load does not download them again.
 *
 * @param options - where the files are served, which dataset, caching and progress
 * @throws {@link MnistLoaderError} `DATASET_NOT_FOUND` (HTTP 404), `DOWNLOAD_FAILED`,
 *   `CHECKSUM_MISMATCH` (nothing is cached then), `CHECKSUM_UNAVAILABLE` (not a secure context),
 *   `UNKNOWN_DATASET`, `GZIP_CORRUPT` and the IDX format errors
 */
export async function loadMnist(options: BrowserLoadOptions): Promise<Dataset> {
  const dataset = resolveDataset(options.dataset);
  return assembleDataset(
    dataset.name,
    dataset.files.map(async (file) => {
      const bytes = await fetchVerified(dataset, file, options);
      return [file.role, await parseIdx(bytes, file.name)] as const;
    }),
  );
}
