import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { readPresetText } from '../study/load-study.js';
import { StudyConfigError } from '../study/study-errors.js';
import { type AdversarialStudy, adversarialStudySchema } from './adversarial-study-schema.js';

/**
 * Loads a `kind: adversarial` study from a preset name or a YAML/JSON file.
 *
 * @throws {@link StudyConfigError} `STUDY_INVALID` naming every bad field
 */
export async function loadAdversarialStudy(presetOrPath: string): Promise<AdversarialStudy> {
  const looksLikePath = /[/\\]/.test(presetOrPath) || /\.(ya?ml|json)$/i.test(presetOrPath);
  const text = looksLikePath
    ? await readFile(presetOrPath, 'utf8')
    : await readPresetText(presetOrPath);
  const result = adversarialStudySchema.safeParse(parseYaml(text));
  if (!result.success) {
    throw new StudyConfigError({
      code: 'STUDY_INVALID',
      message: `${presetOrPath} is not a valid adversarial study:\n${result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(top level)'}: ${issue.message}`).join('\n')}`,
      cause: result.error,
    });
  }
  return result.data;
}
