import { readdir, readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { getKind } from '../engine/registry.js';
import { StudyError } from '../engine/study-error.js';
import type { StudyBasics, StudyKind } from '../engine/study-kind.js';

const presetsFolder = fileURLToPath(new URL('../presets/', import.meta.url));
const presetsFolderFromSource = fileURLToPath(new URL('../../presets/', import.meta.url));

async function presetsDirectory(): Promise<string> {
  for (const folder of [presetsFolder, presetsFolderFromSource]) {
    try {
      await readdir(folder);
      return folder;
    } catch {}
  }
  throw new StudyError({
    code: 'PRESETS_MISSING',
    message: `the built-in presets folder was not found (looked in ${presetsFolder}); reinstall @actlab/study`,
  });
}

/** Names of the built-in presets, sorted. */
export async function listPresets(): Promise<string[]> {
  const files = await readdir(await presetsDirectory());
  return files
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => basename(file, '.yaml'))
    .sort();
}

/** The text of a built-in preset file. Throws {@link StudyError} `PRESET_NOT_FOUND`. */
export async function readPresetText(name: string): Promise<string> {
  const presets = await listPresets();
  if (!presets.includes(name)) {
    throw new StudyError({
      code: 'PRESET_NOT_FOUND',
      message: `no preset named "${name}"; the presets are: ${presets.join(', ')}. A path to a .yaml or .json study file works too.`,
    });
  }
  return readFile(`${await presetsDirectory()}${name}.yaml`, 'utf8');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return `${where}: unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  }
  return `${where}: ${issue.message}`;
}

/** A study with the kind that runs it. */
export interface LoadedStudy<Study = StudyBasics> {
  kind: StudyKind;
  study: Study;
}

/**
 * Validates a parsed study object with the schema of its `kind` (grid when it names none) and
 * fills in defaults.
 *
 * @param value - the parsed YAML or JSON
 * @param origin - where it came from, for the error message
 * @throws {@link StudyError} `KIND_UNKNOWN`, or `STUDY_INVALID` naming every bad field and the
 *   allowed values
 */
export function parseStudy(value: unknown, origin = 'study'): LoadedStudy {
  const named = (value as { kind?: unknown } | null)?.kind;
  const kind = getKind(typeof named === 'string' ? named : 'grid');
  const result = kind.schema.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  - ${describeIssue(issue)}`);
    throw new StudyError({
      code: 'STUDY_INVALID',
      message: `${origin} is not a valid ${kind.kind} study:\n${lines.join('\n')}`,
      cause: result.error,
    });
  }
  return { kind, study: result.data };
}

/** True when the argument names a file rather than a built-in preset: decided here, once. */
export function isStudyPath(presetOrPath: string): boolean {
  return /[/\\]/.test(presetOrPath) || /\.(ya?ml|json)$/i.test(presetOrPath);
}

/**
 * Loads a study of any kind from a built-in preset name or a path to a YAML/JSON file.
 *
 * @throws {@link StudyError} `PRESET_NOT_FOUND`, `STUDY_UNREADABLE`, `KIND_UNKNOWN` or
 *   `STUDY_INVALID`
 */
export async function loadStudy(presetOrPath: string): Promise<LoadedStudy> {
  let text: string;
  if (isStudyPath(presetOrPath)) {
    try {
      text = await readFile(presetOrPath, 'utf8');
    } catch (cause) {
      throw new StudyError({
        code: 'STUDY_UNREADABLE',
        message: `cannot read the study file ${presetOrPath}: ${(cause as Error).message}`,
        cause,
      });
    }
  } else {
    text = await readPresetText(presetOrPath);
  }
  const isJson = extname(presetOrPath).toLowerCase() === '.json';
  let value: unknown;
  try {
    value = isJson ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new StudyError({
      code: 'STUDY_INVALID',
      message: `${presetOrPath} is not valid ${isJson ? 'JSON' : 'YAML'}: ${(cause as Error).message}`,
      cause,
    });
  }
  return parseStudy(value, presetOrPath);
}
