import { join } from 'node:path';
import type { StudyKind } from '../engine/study-kind.js';

/** A study `actlab reproduce` will run: a preset, at full size, into its own run folder. */
export interface PlannedRun {
  preset: string;
  runFolder: string;
}

/** A study `actlab reproduce` cannot run yet, and why. */
export interface PendingStudy {
  study: string;
  reason: string;
}

/**
 * Studies of the seed (issue #23) that have no preset yet, so `actlab reproduce` lists them as
 * pending instead of leaving them out without a word.
 */
export const studiesWithoutPreset: readonly PendingStudy[] = [
  {
    study: 'adversarial-cifar10',
    reason:
      'no preset: there is no trained CIFAR-10 classifier to attack and no adversarial-cifar10 study file yet',
  },
];

/** Why a preset of this kind cannot be repeated over seeds, or undefined when it can. */
export function unseededReason(kind: Pick<StudyKind, 'kind' | 'flags'>): string | undefined {
  if (kind.flags.includes('seeds')) return undefined;
  return `a ${kind.kind} study takes no --seeds (its study file fixes one seed), so it cannot be run with ≥ 3 seeds yet`;
}

/**
 * Splits the presets asked for (all of them when none are named) into the runs to make, each in
 * `<out>/<preset>`, and the studies that stay pending with their reason. Runs keep the order
 * asked for; unknown names are left to `loadStudy` to refuse.
 */
export function planReproduction(
  asked: readonly string[],
  presets: readonly { name: string; kind: Pick<StudyKind, 'kind' | 'flags'> }[],
  out: string,
): { runs: PlannedRun[]; pending: PendingStudy[] } {
  const byName = new Map(presets.map((preset) => [preset.name, preset]));
  const names =
    asked.length > 0 ? asked : [...byName.keys(), ...studiesWithoutPreset.map((s) => s.study)];
  const runs: PlannedRun[] = [];
  const pending: PendingStudy[] = [];
  for (const name of names) {
    const missing = studiesWithoutPreset.find((study) => study.study === name);
    const preset = byName.get(name);
    if (!preset && missing) {
      pending.push(missing);
      continue;
    }
    const reason = preset ? unseededReason(preset.kind) : undefined;
    if (reason) pending.push({ study: name, reason });
    else runs.push({ preset: name, runFolder: join(out, name) });
  }
  return { runs, pending };
}
