import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KnownDataset, KnownFile } from '../known-files.js';
import { isGzip } from '../parse-idx-bytes.js';
import { gunzip } from './gunzip.js';

/** Progress of one file's download. */
export interface DownloadProgress {
  dataset: string;
  file: string;
  url: string;
  receivedBytes: number;
  /** From Content-Length, or the known size; null when neither is known. */
  totalBytes: number | null;
}

/** Where to look for a file, in order, and whether to download it. */
export interface FileSources {
  folders: { kind: 'data folder' | 'cache' | 'system folder'; path: string }[];
  cacheDir: string;
  mirrors: string[];
  download: boolean;
  onProgress?: (progress: DownloadProgress) => void;
}

/** A file's verified bytes and where they came from, or why each source was passed over. */
export type Located =
  | { ok: true; bytes: Uint8Array; source: string }
  | { ok: false; reasons: string[]; downloaded: boolean };

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function verify(
  bytes: Uint8Array,
  file: KnownFile,
  where: string,
): Promise<string | undefined> {
  if (sha256(bytes) === file.sha256) return undefined;
  // Re-compressed copies (Debian strips the gzip name and time) differ only until unpacked.
  if (file.unpackedSha256 && isGzip(bytes)) {
    try {
      if (sha256(await gunzip(bytes, where)) === file.unpackedSha256) return undefined;
    } catch {}
  }
  return `${where}: sha256 does not match the known file (corrupt, truncated or another version)`;
}

async function download(
  url: string,
  target: string,
  file: KnownFile,
  dataset: string,
  sources: FileSources,
): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    return `${url}: ${(cause as Error).message}${(cause as { cause?: Error }).cause ? ` (${(cause as { cause: Error }).cause.message})` : ''}`;
  }
  if (!response.ok || !response.body) return `${url}: HTTP ${response.status}`;
  const totalHeader = Number(response.headers.get('content-length'));
  const totalBytes = Number.isFinite(totalHeader) && totalHeader > 0 ? totalHeader : file.bytes;
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  const hash = createHash('sha256');
  const output = createWriteStream(temporary);
  let receivedBytes = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      receivedBytes += chunk.byteLength;
      if (!output.write(chunk))
        await new Promise<void>((resolve) => output.once('drain', () => resolve()));
      sources.onProgress?.({ dataset, file: file.name, url, receivedBytes, totalBytes });
    }
    await new Promise<void>((resolve, reject) =>
      output.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  } catch (cause) {
    output.destroy();
    await rm(temporary, { force: true });
    return `${url}: the download broke off after ${receivedBytes} bytes (${(cause as Error).message})`;
  }
  if (hash.digest('hex') !== file.sha256) {
    await rm(temporary, { force: true });
    return `${url}: sha256 of the ${receivedBytes} bytes received does not match the known file; nothing was cached`;
  }
  // Rename is atomic: the cache never holds a half file under the real name.
  await rename(temporary, target);
  return undefined;
}

/** Finds a file in the folders, else downloads it into the cache; only verified bytes are returned. */
export async function locateFile(
  dataset: KnownDataset,
  file: KnownFile,
  sources: FileSources,
): Promise<Located> {
  const reasons: string[] = [];
  for (const folder of sources.folders) {
    const path = join(folder.path, dataset.name, file.name);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch {
      reasons.push(`${path} (${folder.kind}): not there`);
      continue;
    }
    const problem = await verify(bytes, file, `${path} (${folder.kind})`);
    if (!problem) return { ok: true, bytes, source: path };
    reasons.push(problem);
  }
  if (!sources.download) return { ok: false, reasons, downloaded: false };
  const cacheFolder = join(sources.cacheDir, dataset.name);
  await mkdir(cacheFolder, { recursive: true });
  const target = join(cacheFolder, file.name);
  for (const mirror of sources.mirrors) {
    const url = new URL(file.name, mirror.endsWith('/') ? mirror : `${mirror}/`).toString();
    const problem = await download(url, target, file, dataset.name, sources);
    if (!problem) return { ok: true, bytes: await readFile(target), source: url };
    reasons.push(problem);
  }
  return { ok: false, reasons, downloaded: true };
}
