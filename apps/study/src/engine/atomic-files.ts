import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StudyError } from './study-error.js';

/** True for the temp files {@link writeFileAtomically} leaves only when the process dies mid-write. */
export function isTempFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/**
 * Turns a file-system error met while writing `path` into a {@link StudyError} that names the
 * file and says what to do; other errors are returned unchanged.
 *
 * `ENOSPC` / `EDQUOT` become `DISK_FULL`; `EACCES` / `EPERM` / `EROFS` become
 * `FOLDER_NOT_WRITABLE`.
 */
export function writeFailure(error: unknown, path: string): unknown {
  if (StudyError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new StudyError({
      code: 'DISK_FULL',
      message: `no space left to write ${path} (${code}${code === 'EDQUOT' ? ': disk quota reached' : ''}); free space on that disk, then run the same command again: finished units are kept and the others resume from their last checkpoint`,
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new StudyError({
      code: 'FOLDER_NOT_WRITABLE',
      message: `cannot write ${path} (${code}): its folder is read-only or belongs to someone else; make it writable, or choose another run folder with --out`,
      cause: error,
    });
  }
  return error;
}

/**
 * Writes text or bytes to `path` through a temp file beside it: write, fsync, rename. A crash
 * or a full disk never leaves a half-written `path`; on failure the temp file is removed.
 *
 * @throws {@link StudyError} `DISK_FULL` or `FOLDER_NOT_WRITABLE` naming `path` (see
 *   {@link writeFailure}); other file-system errors unchanged
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw writeFailure(error, path);
  }
}

/** Writes JSON (2-space indented, newline at the end) with {@link writeFileAtomically}. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomically(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads a JSON file, or returns undefined when it does not exist. */
export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as T;
}
