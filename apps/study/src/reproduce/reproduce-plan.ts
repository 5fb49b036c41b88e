import { join } from 'node:path';
import type { RunVariant, StudyKind } from '../engine/study-kind.js';

/** A study `actlab reproduce` will run: a preset, at full size, into its own run folder. */
export interface PlannedRun {
  preset: string;
  runFolder: string;
  /** A further run of the preset (see {@link StudyKind.variants}): its name and flags. */
  variant?: RunVariant;
}

/** `adversarial-mnist (notebook)`: a planned run named for progress lines and the summary. */
export function runName(run: PlannedRun): string {
  return run.variant ? `${run.preset} (${run.variant.name})` : run.preset;
}

/** A preset as the plan sees it: its kind and the further runs its study asks for. */
export interface PresetToPlan {
  name: string;
  kind: Pick<StudyKind, 'kind' | 'flags'>;
  variants?: RunVariant[];
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
 * `<out>/<preset>` and each variant in `<out>/<preset>-<variant>` right after it, and the
 * studies that stay pending with their reason. Runs keep the order asked for; unknown names are
 * left to `loadStudy` to refuse.
 */
export function planReproduction(
  asked: readonly string[],
  presets: readonly PresetToPlan[],
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
    if (reason) {
      pending.push({ study: name, reason });
      continue;
    }
    runs.push({ preset: name, runFolder: join(out, name) });
    for (const variant of preset?.variants ?? []) {
      runs.push({ preset: name, runFolder: join(out, `${name}-${variant.name}`), variant });
    }
  }
  return { runs, pending };
}
