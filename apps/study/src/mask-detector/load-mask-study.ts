import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { listPresets, readPresetText } from '../study/load-study.js';
import { StudyConfigError } from '../study/study-errors.js';
import { type MaskStudy, maskStudySchema } from './mask-study-schema.js';

/** The top-level `kind` of a preset or study file (undefined for the grid-of-MLP kind), or undefined when unreadable. */
export async function studyKind(presetOrPath: string): Promise<string | undefined> {
  try {
    const looksLikePath = /[/\\]/.test(presetOrPath) || /\.(ya?ml|json)$/i.test(presetOrPath);
    if (!looksLikePath && !(await listPresets()).includes(presetOrPath)) return undefined;
    const text = looksLikePath
      ? await readFile(presetOrPath, 'utf8')
      : await readPresetText(presetOrPath);
    const value = parseYaml(text) as { kind?: unknown } | null;
    return typeof value?.kind === 'string' ? value.kind : undefined;
  } catch {
    // loadStudy reports unreadable and invalid files with the right error.
    return undefined;
  }
}

/**
 * Loads a `kind: mask-detector` study from a preset name or a YAML/JSON file.
 *
 * @throws {@link StudyConfigError} `STUDY_INVALID` naming every bad field
 */
export async function loadMaskStudy(presetOrPath: string): Promise<MaskStudy> {
  const looksLikePath = /[/\\]/.test(presetOrPath) || /\.(ya?ml|json)$/i.test(presetOrPath);
  const text = looksLikePath
    ? await readFile(presetOrPath, 'utf8')
    : await readPresetText(presetOrPath);
  const result = maskStudySchema.safeParse(parseYaml(text));
  if (!result.success) {
    throw new StudyConfigError({
      code: 'STUDY_INVALID',
      message: `${presetOrPath} is not a valid mask-detector study:\n${result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(top level)'}: ${issue.message}`).join('\n')}`,
      cause: result.error,
    });
  }
  return result.data;
}
