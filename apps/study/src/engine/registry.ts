import { adversarialKind } from '../adversarial/adversarial-kind.js';
import { gridKind } from '../grid/grid-kind.js';
import { maskDetectorKind } from '../mask-detector/mask-detector-kind.js';
import { StudyError } from './study-error.js';
import type { StudyKind } from './study-kind.js';

/** Every study kind: a new kind is one module and one line here. */
export const studyKinds: readonly StudyKind[] = [gridKind, adversarialKind, maskDetectorKind];

/**
 * The study kind of that name.
 *
 * @throws {@link StudyError} `KIND_UNKNOWN` naming the known kinds
 */
export function getKind(name: string): StudyKind {
  const kind = studyKinds.find((candidate) => candidate.kind === name);
  if (!kind) {
    throw new StudyError({
      code: 'KIND_UNKNOWN',
      message: `no study kind "${name}"; the kinds are: ${studyKinds.map((k) => k.kind).join(', ')}`,
    });
  }
  return kind;
}
