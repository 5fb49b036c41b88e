import { unpackTar } from 'modern-tar';
import { MnistLoaderError } from '../loader-error.js';

/** One regular file of an archive or a folder: its path (with `/`) and its bytes. */
export interface NamedFile {
  path: string;
  bytes: Uint8Array;
}

/**
 * The regular files of an uncompressed tar archive (directories, links and pax headers left out).
 *
 * @param bytes - the tar bytes (gunzip them first)
 * @param source - a name for error messages, such as the path
 * @throws {@link MnistLoaderError} `ARCHIVE_CORRUPT` when the bytes are not a tar archive
 */
export async function readTar(bytes: Uint8Array, source: string): Promise<NamedFile[]> {
  let entries: Awaited<ReturnType<typeof unpackTar>>;
  try {
    entries = await unpackTar(bytes);
  } catch (cause) {
    throw new MnistLoaderError({
      code: 'ARCHIVE_CORRUPT',
      message: `${source} is not a valid tar archive (${(cause as Error).message}): the file is damaged or not an archive; fetch it again.`,
      cause,
    });
  }
  const files = entries
    .filter((entry) => entry.header.type === 'file' && entry.data)
    .map((entry) => ({ path: entry.header.name, bytes: entry.data as Uint8Array }));
  if (files.length === 0) {
    throw new MnistLoaderError({
      code: 'ARCHIVE_CORRUPT',
      message: `${source} holds no files: it is empty, cut short or not a tar archive; fetch it again.`,
    });
  }
  return files;
}

/** The last part of a `/`-separated path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
