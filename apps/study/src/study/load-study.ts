import { readdir, readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { StudyConfigError } from './study-errors.js';
import { type Study, studySchema } from './study-schema.js';

const presetsFolder = fileURLToPath(new URL('../presets/', import.meta.url));
const presetsFolderFromSource = fileURLToPath(new URL('../../presets/', import.meta.url));

async function presetsDirectory(): Promise<string> {
  for (const folder of [presetsFolder, presetsFolderFromSource]) {
    try {
      await readdir(folder);
      return folder;
    } catch {}
  }
  throw new StudyConfigError({
    code: 'PRESETS_MISSING',
    message: `the built-in presets folder was not found (looked in ${presetsFolder}); reinstall @actlab/study`,
  });
}

/** Names of the built-in presets, sorted. */
export async function listPresets(): Promise<string[]> {
  const folder = await presetsDirectory();
  const files = await readdir(folder);
  return files
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => basename(file, '.yaml'))
    .sort();
}

/** The text of a built-in preset file. Throws {@link StudyConfigError} `PRESET_NOT_FOUND`. */
export async function readPresetText(name: string): Promise<string> {
  const presets = await listPresets();
  if (!presets.includes(name)) {
    throw new StudyConfigError({
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

/**
 * Validates a parsed study object against the schema and fills in defaults.
 *
 * @param value - the parsed YAML or JSON
 * @param origin - where it came from, for the error message
 * @throws {@link StudyConfigError} `STUDY_INVALID` naming every bad field and the allowed values
 */
export function parseStudy(value: unknown, origin = 'study'): Study {
  const result = studySchema.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  - ${describeIssue(issue)}`);
    throw new StudyConfigError({
      code: 'STUDY_INVALID',
      message: `${origin} is not a valid study:\n${lines.join('\n')}`,
      cause: result.error,
    });
  }
  return result.data;
}

/**
 * Loads a study from a built-in preset name or a path to a YAML/JSON file.
 *
 * @throws {@link StudyConfigError} `PRESET_NOT_FOUND`, `STUDY_UNREADABLE` or `STUDY_INVALID`
 */
export async function loadStudy(presetOrPath: string): Promise<Study> {
  const looksLikePath = /[/\\]/.test(presetOrPath) || /\.(ya?ml|json)$/i.test(presetOrPath);
  let text: string;
  if (looksLikePath) {
    try {
      text = await readFile(presetOrPath, 'utf8');
    } catch (cause) {
      throw new StudyConfigError({
        code: 'STUDY_UNREADABLE',
        message: `cannot read the study file ${presetOrPath}: ${(cause as Error).message}`,
        cause,
      });
    }
  } else {
    text = await readPresetText(presetOrPath);
  }
  let value: unknown;
  try {
    value = extname(presetOrPath).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new StudyConfigError({
      code: 'STUDY_INVALID',
      message: `${presetOrPath} is not valid ${extname(presetOrPath) === '.json' ? 'JSON' : 'YAML'}: ${(cause as Error).message}`,
      cause,
    });
  }
  return parseStudy(value, presetOrPath);
}
