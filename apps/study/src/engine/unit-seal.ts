import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempFile, readJsonIfExists, writeJsonAtomic } from './atomic-files.js';

/** The sidecar of a finished unit: every file of its folder with its size and sha256. */
export const sealFileName = 'checksums.json';

const resultFileName = 'result.json';
const checkpointFileName = 'checkpoint.json';

/** What {@link sealUnit} writes. */
export interface UnitSeal {
  unitId: string;
  files: Record<string, { bytes: number; sha256: string }>;
}

/** What {@link checkUnit} found in a unit folder. */
export type UnitCheck =
  /** `result.json` and every file its seal lists are intact. */
  | { state: 'finished'; filesChecked: number; sealedNow: boolean }
  /** No result yet (a checkpoint, if any, is readable). */
  | { state: 'unfinished'; filesChecked: number }
  /** A file is missing, truncated or changed: the unit must be redone. */
  | { state: 'damaged'; filesChecked: number; problems: string[] };

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function unitFileNames(folder: string): Promise<string[]> {
  const names = await readdir(folder, { withFileTypes: true }).catch(() => []);
  return names
    .filter((entry) => entry.isFile() && entry.name !== sealFileName && !isTempFile(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Records the size and sha256 of every file of a finished unit's folder in `checksums.json`,
 * written atomically after them. Returns the number of files sealed.
 *
 * @throws {@link StudyError} `DISK_FULL` or `FOLDER_NOT_WRITABLE` from the write
 */
export async function sealUnit(folder: string, unitId: string): Promise<number> {
  const seal: UnitSeal = { unitId, files: {} };
  for (const name of await unitFileNames(folder)) {
    const bytes = await readFile(join(folder, name));
    seal.files[name] = { bytes: bytes.byteLength, sha256: sha256(bytes) };
  }
  await writeJsonAtomic(join(folder, sealFileName), seal);
  return Object.keys(seal.files).length;
}

async function parsesAsJson(path: string): Promise<boolean> {
  try {
    JSON.parse(await readFile(path, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a unit folder before a run: a finished unit's files against its seal, an unfinished
 * unit's checkpoint for being readable. A finished unit without a seal (written before seals,
 * or killed between `result.json` and its seal) is sealed now if all its JSON files parse.
 *
 * @throws {@link StudyError} `DISK_FULL` or `FOLDER_NOT_WRITABLE` when sealing cannot write
 */
export async function checkUnit(folder: string, unitId: string): Promise<UnitCheck> {
  const names = await unitFileNames(folder);
  const problems: string[] = [];
  if (!names.includes(resultFileName)) {
    if (!names.includes(checkpointFileName)) return { state: 'unfinished', filesChecked: 0 };
    if (await parsesAsJson(join(folder, checkpointFileName))) {
      return { state: 'unfinished', filesChecked: 1 };
    }
    problems.push(`${checkpointFileName} is not readable JSON (truncated or damaged)`);
    return { state: 'damaged', filesChecked: 1, problems };
  }
  let seal: UnitSeal | undefined;
  try {
    seal = await readJsonIfExists<UnitSeal>(join(folder, sealFileName));
  } catch {
    problems.push(`${sealFileName} is not readable JSON`);
    return { state: 'damaged', filesChecked: 1, problems };
  }
  if (!seal) {
    for (const name of names.filter((file) => file.endsWith('.json'))) {
      if (!(await parsesAsJson(join(folder, name)))) problems.push(`${name} is not readable JSON`);
    }
    const result = await readJsonIfExists<{ id?: string }>(join(folder, resultFileName)).catch(
      () => undefined,
    );
    if (problems.length === 0 && result?.id !== unitId) {
      problems.push(`${resultFileName} belongs to unit ${String(result?.id)}, not ${unitId}`);
    }
    if (problems.length > 0) return { state: 'damaged', filesChecked: names.length, problems };
    const filesChecked = await sealUnit(folder, unitId);
    return { state: 'finished', filesChecked, sealedNow: true };
  }
  if (seal.unitId !== unitId) problems.push(`${sealFileName} belongs to unit ${seal.unitId}`);
  if (!seal.files?.[resultFileName]) problems.push(`${sealFileName} does not list result.json`);
  for (const [name, expected] of Object.entries(seal.files ?? {})) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(folder, name));
    } catch {
      problems.push(`${name} is missing`);
      continue;
    }
    if (bytes.byteLength !== expected.bytes) {
      problems.push(`${name} has ${bytes.byteLength} bytes, ${expected.bytes} were written`);
    } else if (sha256(bytes) !== expected.sha256) {
      problems.push(`${name} does not match its sha256 (its bytes changed since it was written)`);
    }
  }
  const filesChecked = Object.keys(seal.files ?? {}).length;
  return problems.length > 0
    ? { state: 'damaged', filesChecked, problems }
    : { state: 'finished', filesChecked, sealedNow: false };
}
