import { unitId } from '../engine/unit-id.js';
import {
  type GridAxis,
  gridAxes,
  mergeTrialSettings,
  type Study,
  type TrialSettings,
  trialSettingsSchema,
} from './study-schema.js';

/** One trial of a study: its full settings and the id derived from them. */
export interface Trial {
  /** First 16 hex digits of the sha256 of the canonical JSON of `settings`. */
  id: string;
  /** Short human label: the grid values and the seed. */
  label: string;
  /** The value of each grid axis for this trial (the axes the study varies). */
  axes: Partial<Record<GridAxis, unknown>>;
  settings: TrialSettings;
}

/** Options that change how a study expands into trials. */
export interface ExpandOptions {
  /** Apply the study's `quick` overrides. */
  quick?: boolean;
  /** Seeds per grid point (overrides the study's `seeds`). */
  seeds?: number;
  /** Epochs per trial (overrides everything else). */
  epochs?: number;
}

/** Text for a grid value in labels and tables. */
export function formatAxisValue(value: unknown): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) return value.join('-');
  if (typeof value === 'object') {
    const { name, label, ...rest } = value as Record<string, unknown>;
    if (typeof label === 'string') return label;
    const parameters = Object.entries(rest).map(([key, inner]) => `${key}=${String(inner)}`);
    return parameters.length > 0 ? `${String(name)}(${parameters.join(',')})` : String(name);
  }
  return String(value);
}

/** Stable id of a trial's settings (the engine's unit id). */
export const trialId: (settings: TrialSettings) => string = unitId;

/**
 * Expands a study's grid into trials: the cartesian product of the grid axes, times the seeds,
 * in a stable order (axes in schema order, values in file order, seeds innermost).
 */
export function expandTrials(study: Study, options: ExpandOptions = {}): Trial[] {
  const grid = study.grid as Partial<Record<GridAxis, unknown[]>>;
  const axes: GridAxis[] = gridAxes.filter((axis) => grid[axis] !== undefined);
  const seedCount = options.seeds ?? study.seeds;
  let points: Partial<Record<GridAxis, unknown>>[] = [{}];
  for (const axis of axes) {
    points = points.flatMap((point) =>
      (grid[axis] as unknown[]).map((value) => ({ ...point, [axis]: value })),
    );
  }
  const cases = study.cases ?? [];
  if (cases.length > 0) axes.push('case');
  const trials: Trial[] = [];
  const casePoints = cases.length > 0 ? cases : [undefined];
  for (const gridPoint of points) {
    for (const studyCase of casePoints) {
      const { case: caseName, ...caseSettings } = studyCase ?? { case: undefined };
      const point = caseName === undefined ? gridPoint : { ...gridPoint, case: caseName };
      addSeeds(point, caseSettings);
    }
  }
  return trials;

  function addSeeds(point: Partial<Record<GridAxis, unknown>>, caseSettings: object): void {
    for (let seed = 1; seed <= seedCount; seed++) {
      const { case: _case, ...settingPoint } = point;
      const merged = {
        // Quick overrides shrink the base; values a grid or a case names explicitly still win.
        ...mergeTrialSettings(study, options.quick ?? false, settingPoint, caseSettings),
        seed,
        ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
      };
      const settings = trialSettingsSchema.parse(merged);
      const label = [
        ...axes.map((axis) => `${axis}=${formatAxisValue(point[axis])}`),
        `seed=${seed}`,
      ].join(' ');
      trials.push({ id: trialId(settings), label, axes: point, settings });
    }
  }
}
