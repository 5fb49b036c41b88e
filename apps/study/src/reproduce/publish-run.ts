import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type AdversarialRun,
  buildAdversarialPublication,
} from '../adversarial/adversarial-publication.js';
import { describeClassifier } from '../adversarial/adversarial-report.js';
import type { AdversarialStudy } from '../adversarial/adversarial-study-schema.js';
import type { AttackUnitResult } from '../adversarial/attack-unit.js';
import { readJsonIfExists, writeJsonAtomic } from '../engine/atomic-files.js';
import { readFinishedResults } from '../engine/run-study.js';
import { unitFolder } from '../engine/run-unit.js';
import { StudyError } from '../engine/study-error.js';
import type { RunManifest } from '../engine/study-kind.js';
import { checkUnit } from '../engine/unit-seal.js';
import { writeReport } from '../engine/write-report.js';
import { buildMaskPublication } from '../mask-detector/mask-publication.js';
import type { MaskStudy } from '../mask-detector/mask-study-schema.js';
import type { MaskUnitResult } from '../mask-detector/mask-unit.js';
import type { TrialResult } from '../run/trial-records.js';
import { canonicalJson } from '../study/canonical-json.js';
import type { Study } from '../study/study-schema.js';
import { codeVersion } from './code-version.js';
import { buildPublication, type Publication, publicationFormat } from './publication.js';
import { type ReproduceRecord, reproduceRecordFile } from './reproduce-command.js';

/** Where `actlab publish` puts a study's results unless told: the docs' committed results. */
export function defaultPublishFolder(studyName: string): string {
  return resolve('apps/docs/results', studyName);
}

/** The small files of a run folder that are published. */
const publishedFiles = [
  'manifest.json',
  'metrics.csv',
  'report.md',
  'results.json',
  reproduceRecordFile,
];
const charts = (name: string) => name.endsWith('.vl.json') || name.endsWith('.svg');
/**
 * Figures: a grid or mask study's Vega-Lite specs and SVGs (a mask study's crop grids, faces of
 * the data sets, stay out like the data); an adversarial study's grids are PNGs.
 */
const figureFilters: Record<string, (name: string) => boolean> = {
  grid: charts,
  'mask-detector': charts,
  adversarial: (name) => name.endsWith('.png'),
};

async function readManifest(runFolder: string): Promise<RunManifest> {
  const manifest = await readJsonIfExists<RunManifest>(join(runFolder, 'manifest.json'));
  if (!manifest) {
    throw new StudyError({
      code: 'RUN_NOT_FOUND',
      message: `${runFolder} has no manifest.json: it is not a run folder`,
    });
  }
  const kind = manifest.kind ?? 'grid';
  if (!(kind in figureFilters)) {
    throw new StudyError({
      code: 'RUN_NOT_PUBLISHABLE',
      message: `${runFolder} holds a ${kind} study: actlab publish takes grid, adversarial and mask-detector studies only for now (the ${kind} kind's tables have not been mapped to the Results pages yet)`,
    });
  }
  if (manifest.options.quick) {
    throw new StudyError({
      code: 'RUN_NOT_PUBLISHABLE',
      message: `${runFolder} is a --quick run: publish full-size runs only (actlab reproduce makes them)`,
    });
  }
  return manifest;
}

/** Refuses a run with a unit that is not finished, naming the command that finishes it. */
async function checkFinished(folder: string, manifest: RunManifest): Promise<void> {
  const unfinished: string[] = [];
  for (const unit of manifest.trials) {
    const check = await checkUnit(unitFolder(folder, unit.id), unit.id);
    if (check.state !== 'finished') unfinished.push(`${unit.label} (${check.state})`);
  }
  if (unfinished.length === 0) return;
  const { seeds, sources } = manifest.options as { seeds?: number; sources?: number[] };
  const flags = `${seeds ? ` --seeds ${seeds}` : ''}${sources ? ` --sources ${sources.join(',')}` : ''}`;
  const name = (manifest.study as { name: string }).name;
  throw new StudyError({
    code: 'RUN_NOT_FINISHED',
    message: `${folder} is not finished: ${unfinished.length} of ${manifest.trials.length} units are not (${unfinished.slice(0, 3).join(', ')}${unfinished.length > 3 ? ', …' : ''}); finish it with \`actlab run ${name} --out ${folder}${flags}\`, then publish`,
  });
}

/** The code of the last finished `actlab reproduce` session, else of this checkout. */
async function codeOf(folder: string): Promise<Publication['code']> {
  const record = await readJsonIfExists<ReproduceRecord>(join(folder, reproduceRecordFile));
  const session = record?.sessions.filter((entry) => entry.outcome === 'finished').at(-1);
  return session
    ? { commit: session.commit, dirty: session.dirty, recordedBy: 'reproduce' }
    : { ...codeVersion(), recordedBy: 'publish' };
}

/** Copies a run folder's small files and figures into `target`; returns their paths there. */
async function copyRunFiles(folder: string, target: string, kind: string): Promise<string[]> {
  await mkdir(join(target, 'figures'), { recursive: true });
  const files: string[] = [];
  const present = new Set(await readdir(folder));
  for (const name of publishedFiles.filter((file) => present.has(file))) {
    await copyFile(join(folder, name), join(target, name));
    files.push(name);
  }
  const isFigure = figureFilters[kind] as (name: string) => boolean;
  for (const name of (await readdir(join(folder, 'figures'))).filter(isFigure).sort()) {
    await copyFile(join(folder, 'figures', name), join(target, 'figures', name));
    files.push(`figures/${name}`);
  }
  return files;
}

/**
 * The source set an adversarial run attacked: `default` without `--sources`, else the name of
 * the study's `sourceSets` entry with exactly those sources.
 *
 * @throws {@link StudyError} `RUN_NOT_PUBLISHABLE` for sources that are neither
 */
function sourceSetOf(folder: string, manifest: RunManifest<AdversarialStudy>): string {
  const sources = manifest.options.sources as number[] | undefined;
  if (!sources) return 'default';
  const named = Object.entries(manifest.study.sourceSets ?? {}).find(
    ([, indices]) => canonicalJson(indices) === canonicalJson(sources),
  );
  if (!named) {
    throw new StudyError({
      code: 'RUN_NOT_PUBLISHABLE',
      message: `${folder} attacked the sources ${sources.join(', ')}, neither the study's default sources nor one of its sourceSets: publish runs of the study's own source sets (actlab reproduce makes them)`,
    });
  }
  return named[0];
}

/**
 * Publishes the runs of an adversarial study, one per source set, into `target/<set>/` (after
 * clearing `target`), and returns the one publication of all of them.
 */
async function publishAdversarial(
  folders: string[],
  manifests: RunManifest[],
  target: string,
): Promise<{ files: string[]; publication: Publication }> {
  const runs: AdversarialRun[] = [];
  for (const [index, folder] of folders.entries()) {
    const manifest = manifests[index] as RunManifest<AdversarialStudy>;
    const finished = await readFinishedResults(folder);
    runs.push({
      name: sourceSetOf(folder, manifest),
      manifest,
      results: manifest.trials.map((unit) => finished.get(unit.id) as AttackUnitResult),
      code: await codeOf(folder),
    });
  }
  const names = runs.map((run) => run.name);
  if (
    new Set(names).size !== names.length ||
    canonicalJson(manifests[0]?.study) !== canonicalJson(manifests.at(-1)?.study)
  ) {
    throw new StudyError({
      code: 'RUN_NOT_PUBLISHABLE',
      message: `the run folders (${folders.join(', ')}) must be runs of one study, each on another source set (here: ${names.join(', ')})`,
    });
  }
  runs.sort((a, b) =>
    a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name),
  );
  const model = runs[0]?.results[0]?.settings.model ?? null;
  const publication = buildAdversarialPublication(
    runs,
    await describeClassifier(model),
    publicationFormat,
  );
  await rm(target, { recursive: true, force: true });
  const files: string[] = [];
  for (const run of runs) {
    const folder = folders[names.indexOf(run.name)] as string;
    const copied = await copyRunFiles(folder, join(target, run.name), 'adversarial');
    files.push(...copied.map((file) => `${run.name}/${file}`));
  }
  return { files, publication };
}

/**
 * `actlab publish <run folder…> [--to <folder>]`: checks that every unit of each run finished
 * (against its checksums), rewrites its report, and copies its small result files (manifest with
 * machine and dates, metrics.csv, report.md, results.json, reproduce.json, figures: a grid or
 * mask study's Vega-Lite specs and SVGs, an adversarial study's grid PNGs; never checkpoints) with a
 * `publication.json` into `--to`, by default `apps/docs/results/<study>/`, whose previous
 * contents it replaces. A grid study is one run folder (publication: mean ± sd per grid point,
 * the seed's value, gaps, code version), so is a mask-detector study (per model and set, the
 * report's metrics as mean ± sd over seeds, beside the seed's bar); an adversarial study takes one run folder per source
 * set (its default sources and each of its `sourceSets`), each copied into `<set>/`
 * (publication: per set and method, mean ± sd over seeds).
 *
 * @throws {@link StudyError} `RUN_NOT_FOUND`, `RUN_NOT_PUBLISHABLE` (another kind, --quick, two
 *   folders of a grid or mask study, runs of different studies or sources outside the study's sets),
 *   `RUN_NOT_FINISHED` naming the units still to run and the command that resumes them
 */
export async function publishRun(
  runFolders: string | string[],
  options: { to?: string } = {},
): Promise<{ target: string; files: string[]; publication: Publication }> {
  const folders = (Array.isArray(runFolders) ? runFolders : [runFolders]).map((f) => resolve(f));
  const manifests: RunManifest[] = [];
  for (const folder of folders) manifests.push(await readManifest(folder));
  const kind = manifests[0]?.kind ?? 'grid';
  if (kind !== 'adversarial' && folders.length !== 1) {
    throw new StudyError({
      code: 'RUN_NOT_PUBLISHABLE',
      message: `a ${kind} study is published from one run folder, not ${folders.length}`,
    });
  }
  for (const [index, folder] of folders.entries()) {
    await checkFinished(folder, manifests[index] as RunManifest);
    await writeReport(folder);
  }
  const name = (manifests[0] as RunManifest<{ name: string }>).study.name;
  const target = resolve(options.to ?? defaultPublishFolder(name));
  if (kind === 'adversarial') {
    const { files, publication } = await publishAdversarial(folders, manifests, target);
    await writeJsonAtomic(join(target, 'publication.json'), publication);
    return { target, files: [...files, 'publication.json'], publication };
  }
  const [folder] = folders as [string];
  const manifest = manifests[0] as RunManifest;
  const finished = await readFinishedResults(folder);
  const results = manifest.trials.map((unit) => ({
    axes: unit.axes,
    result: finished.get(unit.id),
  }));
  const code = await codeOf(folder);
  const publication =
    kind === 'mask-detector'
      ? buildMaskPublication(
          manifest as RunManifest<MaskStudy>,
          results as { axes: Record<string, unknown>; result: MaskUnitResult }[],
          code,
        )
      : buildPublication(
          manifest as RunManifest<Study>,
          results as { axes: Record<string, unknown>; result: TrialResult }[],
          code,
        );
  await rm(target, { recursive: true, force: true });
  const files = await copyRunFiles(folder, target, kind);
  await writeJsonAtomic(join(target, 'publication.json'), publication);
  files.push('publication.json');
  return { target, files, publication };
}

/** `actlab publish`: publishes run folders and says where, with each gap beyond noise. */
export async function publishCommand(
  runFolders: string[],
  options: { to?: string },
): Promise<void> {
  const { target, files, publication } = await publishRun(runFolders, options);
  process.stdout.write(
    `published ${publication.study.name} (${publication.run.units} units, ${publication.run.seeds} seeds) to ${target}: ${files.length} files\n`,
  );
  if (publication.kind === 'adversarial') return;
  for (const point of publication.points.filter((p) => p.gap)) {
    process.stdout.write(
      `  gap beyond noise: ${point.label}: ours ${point.ours?.text}, the seed's ${point.reference}\n`,
    );
  }
}
