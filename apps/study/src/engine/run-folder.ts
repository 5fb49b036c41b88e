import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../study/canonical-json.js';
import { writeFailure } from './atomic-files.js';
import { lockFileName } from './run-lock.js';
import { StudyError } from './study-error.js';
import type { RunManifest } from './study-kind.js';

/**
 * The run-folder format this code writes and reads: bumped whenever a unit's files or the
 * manifest change meaning, so a folder of another format is refused rather than mixed.
 */
export const runFolderFormat = 1;

/** Folders of a run folder that keep what was moved aside, one `<stamp>/` each: never deleted. */
export const asideFolders = { damaged: 'damaged', replaced: 'replaced' } as const;

/** Paths (at most `limit`) where two JSON values differ, e.g. `base.epochs`. */
function differences(a: unknown, b: unknown, path = '', limit = 5): string[] {
  if (canonicalJson(a) === canonicalJson(b)) return [];
  const isObject = (value: unknown) => value !== null && typeof value === 'object';
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b)) {
    return [path || '(the whole study)'];
  }
  const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
  const found: string[] = [];
  for (const key of keys) {
    const inner = (value: unknown) => (value as Record<string, unknown>)[key];
    found.push(...differences(inner(a), inner(b), path ? `${path}.${key}` : key, limit));
    if (found.length >= limit) break;
  }
  return found.slice(0, limit);
}

/**
 * Reads the manifest of a run folder and refuses one this run must not continue: a damaged
 * one, one of another run-folder format, or one of another kind or study. A manifest without
 * `format` (written before formats were recorded) is format 1.
 *
 * @returns the previous manifest, or undefined for a new run folder
 * @throws {@link StudyError} `MANIFEST_DAMAGED`, `RUN_FORMAT_UNSUPPORTED` or
 *   `RUN_FOLDER_MISMATCH`, each saying that `--fresh` starts over (keeping the old files)
 */
export async function readCompatibleManifest(
  runFolder: string,
  expected: { kind: string; study: unknown },
): Promise<RunManifest | undefined> {
  const path = join(runFolder, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const fresh = `or run with --fresh to start over (the old files move to ${join(runFolder, asideFolders.replaced)}/)`;
  let previous: RunManifest;
  try {
    previous = JSON.parse(text) as RunManifest;
  } catch (cause) {
    throw new StudyError({
      code: 'MANIFEST_DAMAGED',
      message: `${path} is not readable JSON (truncated or damaged): restore it from a backup, ${fresh}`,
      cause,
    });
  }
  const format = previous.format ?? 1;
  if (format !== runFolderFormat) {
    throw new StudyError({
      code: 'RUN_FORMAT_UNSUPPORTED',
      message: `${path} is in run-folder format ${format}, this actlab reads format ${runFolderFormat}: continue it with the actlab version that started it, ${fresh}`,
    });
  }
  const kind = previous.kind ?? 'grid';
  if (kind !== expected.kind) {
    throw new StudyError({
      code: 'RUN_FOLDER_MISMATCH',
      message: `${runFolder} holds a ${kind} study, not this ${expected.kind} study: choose another folder with --out, ${fresh}`,
    });
  }
  const changed = differences(previous.study, expected.study);
  if (changed.length > 0) {
    const name = (previous.study as { name?: string } | null)?.name ?? '?';
    throw new StudyError({
      code: 'RUN_FOLDER_MISMATCH',
      message: `${runFolder} holds another study ("${name}"; its settings differ at ${changed.join(', ')}): choose another folder with --out, ${fresh}`,
    });
  }
  return previous;
}

/** A file-name-safe time stamp, e.g. `2026-12-05T09-01-02-345Z`. */
export function stamp(date = new Date()): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

/**
 * Moves entries of `from` (files or folders, by name) into `target`, created if missing, so
 * nothing a run wrote is deleted. Missing names are skipped; returns the names moved.
 *
 * @throws {@link StudyError} `FOLDER_NOT_WRITABLE` when they cannot be moved
 */
export async function moveAside(from: string, names: string[], target: string): Promise<string[]> {
  const present = new Set(await readdir(from).catch(() => [] as string[]));
  const moved = names.filter((name) => present.has(name));
  if (moved.length === 0) return moved;
  try {
    await mkdir(target, { recursive: true });
    for (const name of moved) await rename(join(from, name), join(target, name));
  } catch (error) {
    throw writeFailure(error, target);
  }
  return moved;
}

/**
 * What `--fresh` moves aside: everything but the lock and earlier replaced runs, and nothing
 * at all in a folder without `manifest.json` (it is not a run folder, e.g. `--out .`).
 */
export async function runFolderContents(runFolder: string): Promise<string[]> {
  const names = await readdir(runFolder).catch(() => [] as string[]);
  if (!names.includes('manifest.json')) return [];
  const keep = new Set<string>([lockFileName, asideFolders.replaced]);
  return names.filter((name) => !keep.has(name) && !name.startsWith(`${lockFileName}.`));
}
