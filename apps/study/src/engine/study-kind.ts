import type { ZodType } from 'zod';
import type { ChartSpec } from '../charts/render-chart.js';
import type { MachineInfo } from './machine-info.js';

/** One piece of work of a study: a grid trial, an attack on a batch of pairs, a mask model. */
export interface Unit<Settings = unknown> {
  /** First 16 hex digits of the sha256 of the canonical JSON of `settings`. */
  id: string;
  /** Short human label for progress lines and tables. */
  label: string;
  /** The values that tell this unit apart from its siblings (grid axes, method, source…). */
  axes: Record<string, unknown>;
  /** Everything that defines the unit's result; its id is their hash. */
  settings: Settings;
  /** How the unit runs without changing what it computes (e.g. which trainer); not hashed. */
  runOptions?: Record<string, unknown>;
  /** Steps of work (epochs, pairs), for the progress bar and the ETA. */
  steps: number;
}

/** A unit as a kind plans it; the engine gives it its id. */
export type PlannedUnit<Settings = unknown> = Omit<Unit<Settings>, 'id'>;

/** What a running unit reports. */
export interface UnitProgress {
  unitId: string;
  /** The step running now (1-based), or the one just finished when `done`. */
  step: number;
  steps: number;
  /** Share of the current step already done, 0..1. */
  within: number;
  /** True once `step` is finished; `line` then says what it measured. */
  done?: boolean;
  line?: string;
}

/** What the engine hands a kind's {@link StudyKind.runUnit}. */
export interface UnitContext {
  /** The unit's own folder (created); files written here belong to the unit. */
  folder: string;
  /** The tfjs backend this thread runs on (already selected). */
  backend: string;
  /** Folder with one sub-folder per dataset. */
  dataDir?: string;
  progress(progress: Omit<UnitProgress, 'unitId'>): void;
  /** The unit's last checkpoint (this folder's, or one another worker published), if any. */
  loadCheckpoint<State>(): Promise<{ step: number; state: State } | undefined>;
  /** Saves (atomically) and publishes the state after `step` finished steps. */
  saveCheckpoint(step: number, state: unknown): Promise<void>;
}

/** The minimum every unit result has; the engine writes it as `result.json`, last. */
export interface UnitResult {
  id: string;
  label: string;
  /** `diverged` is a result (the study goes on), not a failure. */
  status: 'completed' | 'diverged';
}

/**
 * The seeds of a run of a kind with one `seed` in its study file: `count` (the `--seeds` flag,
 * default 1) seeds from the study's `seed` on, so a one-seed run is the run made before the
 * kind took `--seeds` (same units, same ids).
 */
export function runSeeds(study: { seed: number }, count = 1): number[] {
  return Array.from({ length: count }, (_, index) => study.seed + index);
}

/** The flags of `actlab run` that only some kinds can use. */
export type KindFlag = 'seeds' | 'epochs' | 'trainer' | 'sources' | 'model' | 'methods';

/** A further run of a study that `actlab reproduce` makes: a name and the flags that differ. */
export interface RunVariant {
  /** Names its run folder `<preset>-<name>`. */
  name: string;
  /** Test-set indices of the sources (the `--sources` flag). */
  sources?: number[];
}

/** What `actlab run` asks of the plan. */
export interface PlanOptions {
  quick: boolean;
  seeds?: number;
  epochs?: number;
  trainer?: string;
  sources?: number[];
  model?: string;
  methods?: string[];
  dataDir?: string;
}

/** A figure of a report: a Vega-Lite chart (rendered to SVG and PNG) or a ready PNG. */
export type ReportFigure = {
  name: string;
  title: string;
  caption: string;
} & ({ spec: ChartSpec } | { png: Uint8Array });

/** One block of a report section. */
export type ReportBlock =
  | { paragraph: string }
  | { list: string[] }
  | { table: { header: string[]; rows: string[][] } }
  | { figure: ReportFigure };

/** One row of `metrics.csv`: what one unit measured at one epoch (or of one item). */
export interface MetricRow {
  /** The unit's id: the `trial` column, first. */
  unit: string;
  /** The unit's settings, a column each, after `trial`; objects and arrays become JSON. */
  settings: Record<string, unknown>;
  /** What was measured, a column each, after the settings. */
  metrics: Record<string, unknown>;
}

/** What a kind turns its finished units into; the engine renders it to Markdown and HTML. */
export interface ReportContent {
  /**
   * The tidy rows the engine writes to `metrics.csv`: one per unit × epoch, or, for a kind
   * without epochs, one per thing each unit measured (e.g. an attacked pair).
   */
  metrics: MetricRow[];
  /** Bullet points below the description (what ran, where, on which machine). */
  facts: string[];
  sections: { heading: string; blocks: ReportBlock[] }[];
  /** Extra files beside the report, e.g. `results.json`. */
  files?: { name: string; data: string | Uint8Array }[];
}

/** The run folder's manifest: what was asked, of which kind, on what, and its units. */
export interface RunManifest<Study = unknown> {
  /** The run-folder format (absent in folders written before it was recorded: format 1). */
  format?: number;
  /** The study kind (absent in grid runs made before the engine). */
  kind?: string;
  study: Study;
  trials: { id: string; label: string; axes: Record<string, unknown>; steps?: number }[];
  options: Record<string, unknown> & { quick: boolean; backend: string };
  machine: MachineInfo;
  createdAt: string;
  updatedAt: string;
}

/** What a kind's report gets. */
export interface ReportInput<Study, Result> {
  folder: string;
  manifest: RunManifest<Study>;
  /** Finished units in plan order, each with its folder. */
  results: { unit: RunManifest['trials'][number]; result: Result; folder: string }[];
}

/** What every study file has, whatever its kind. */
export interface StudyBasics {
  name: string;
  title: string;
  description: string;
}

/**
 * A study kind: how to plan its units, run one, and report on the finished ones. Everything
 * else (manifest, ids, resume, atomic files, failures, progress, workers, queue, rendering)
 * is the engine's.
 */
export interface StudyKind<
  Study extends StudyBasics = StudyBasics,
  Settings = unknown,
  Result extends UnitResult = UnitResult,
> {
  /** The `kind:` of its study files (`grid` for files without one). */
  readonly kind: string;
  readonly schema: ZodType<Study>;
  /** Which kind-specific flags it accepts; the others are refused. */
  readonly flags: readonly KindFlag[];
  /**
   * Further runs of a study that `actlab reproduce` makes besides the default one, each into its
   * own run folder `<preset>-<name>` (e.g. an adversarial study's other source sets).
   */
  variants?(study: Study): RunVariant[];
  plan(study: Study, options: PlanOptions): Promise<PlannedUnit<Settings>[]>;
  runUnit(unit: Unit<Settings>, context: UnitContext): Promise<Result>;
  /** One line for a finished unit, e.g. `completed, test accuracy 0.9612`. */
  describe(result: Result): string;
  report(input: ReportInput<Study, Result>): Promise<ReportContent>;
}
