import { createHash } from 'node:crypto';
import { canonicalJson } from '../study/canonical-json.js';

/** Stable id of a unit's settings: the first 16 hex digits of the sha256 of their canonical JSON. */
export function unitId(settings: unknown): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex').slice(0, 16);
}
