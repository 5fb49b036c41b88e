import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadProgress } from '../download-progress.js';
import type { KnownDataset, SourceFile } from '../known-files.js';
import { isGzip } from '../parse-idx-bytes.js';
import { gunzip } from './gunzip.js';

/** Where to look for a file, in order, and whether to download it. */
export interface FileSources {
  folders: { kind: 'data folder' | 'cache' | 'system folder'; path: string }[];
  cacheDir: string;
  mirrors: string[];
  download: boolean;
  stallTimeoutMs: number;
  onProgress?: (progress: DownloadProgress) => void;
}

/** Why one source was passed over. */
interface Rejection {
  reason: string;
  /** Bytes were found or received but their sha256 did not match. */
  badChecksum: boolean;
}

/** A file's verified bytes and where they came from, or why each source was passed over. */
export type Located =
  | { ok: true; bytes: Uint8Array; source: string }
  | { ok: false; rejections: Rejection[]; downloaded: boolean };

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function matchesKnownFile(bytes: Uint8Array, file: SourceFile): Promise<boolean> {
  if (sha256(bytes) === file.sha256) return true;
  // Re-compressed copies (Debian strips the gzip name and time) differ only until unpacked.
  if (file.unpackedSha256 && isGzip(bytes)) {
    try {
      return sha256(await gunzip(bytes, 'copy')) === file.unpackedSha256;
    } catch {
      return false;
    }
  }
  return false;
}

const messageOf = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${message} (${cause.message})` : message;
};

/**
 * Downloads `url` into `target`: written to a temp file while hashing, renamed into place only
 * when the sha256 matches, so the cache never holds a half file under the real name.
 */
async function download(
  url: string,
  target: string,
  file: SourceFile,
  dataset: string,
  sources: FileSources,
): Promise<Rejection | undefined> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = `no data for ${sources.stallTimeoutMs} ms`;
  const armStallTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(stalled)), sources.stallTimeoutMs);
  };
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  let receivedBytes = 0;
  let output: Awaited<ReturnType<typeof open>> | undefined;
  try {
    armStallTimer();
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal });
    } catch (cause) {
      const why = controller.signal.aborted ? stalled : messageOf(cause);
      return { reason: `${url}: ${why}`, badChecksum: false };
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return { reason: `${url}: HTTP ${response.status}`, badChecksum: false };
    }
    const totalHeader = Number(response.headers.get('content-length'));
    const totalBytes = Number.isFinite(totalHeader) && totalHeader > 0 ? totalHeader : file.bytes;
    const hash = createHash('sha256');
    output = await open(temporary, 'w');
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        armStallTimer();
        hash.update(chunk);
        receivedBytes += chunk.byteLength;
        await output.write(chunk);
        sources.onProgress?.({ dataset, file: file.name, url, receivedBytes, totalBytes });
      }
    } catch (cause) {
      const why = controller.signal.aborted ? stalled : messageOf(cause);
      return {
        reason: `${url}: the download broke off after ${receivedBytes} bytes (${why})`,
        badChecksum: false,
      };
    }
    await output.close();
    output = undefined;
    if (hash.digest('hex') !== file.sha256) {
      return {
        reason: `${url}: sha256 of the ${receivedBytes} bytes received does not match the known file; nothing was cached`,
        badChecksum: true,
      };
    }
    await rename(temporary, target);
    return undefined;
  } catch (cause) {
    // The network parts are handled above; this is the file system (full disk, no permission).
    return {
      reason: `${url}: could not write ${temporary}: ${messageOf(cause)}`,
      badChecksum: false,
    };
  } finally {
    clearTimeout(timer);
    await output?.close().catch(() => {});
    await rm(temporary, { force: true });
  }
}

/** Finds a file in the folders, else downloads it into the cache; only verified bytes are returned. */
export async function locateFile(
  dataset: Pick<KnownDataset, 'name'>,
  file: SourceFile,
  sources: FileSources,
): Promise<Located> {
  const rejections: Rejection[] = [];
  for (const folder of sources.folders) {
    const path = join(folder.path, dataset.name, file.name);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (cause) {
      const code = (cause as { code?: string }).code;
      const why = code === 'ENOENT' ? 'not there' : `unreadable (${messageOf(cause)})`;
      rejections.push({ reason: `${path} (${folder.kind}): ${why}`, badChecksum: false });
      continue;
    }
    if (await matchesKnownFile(bytes, file)) return { ok: true, bytes, source: path };
    rejections.push({
      reason: `${path} (${folder.kind}): sha256 does not match the known file (corrupt, truncated or another version)`,
      badChecksum: true,
    });
  }
  if (!sources.download) return { ok: false, rejections, downloaded: false };
  const cacheFolder = join(sources.cacheDir, dataset.name);
  try {
    await mkdir(cacheFolder, { recursive: true });
  } catch (cause) {
    rejections.push({
      reason: `cannot create the cache folder ${cacheFolder} (${messageOf(cause)}); pass cacheDir`,
      badChecksum: false,
    });
    return { ok: false, rejections, downloaded: false };
  }
  const target = join(cacheFolder, file.name);
  for (const mirror of sources.mirrors) {
    const url = new URL(file.name, mirror.endsWith('/') ? mirror : `${mirror}/`).toString();
    const rejection = await download(url, target, file, dataset.name, sources);
    if (!rejection) return { ok: true, bytes: await readFile(target), source: url };
    rejections.push(rejection);
  }
  return { ok: false, rejections, downloaded: sources.mirrors.length > 0 };
}
