import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../engine/atomic-files.js';
import { readFinishedResults } from '../engine/run-study.js';
import { unitFolder } from '../engine/run-unit.js';
import { StudyError } from '../engine/study-error.js';
import type { RunManifest } from '../engine/study-kind.js';
import { checkUnit } from '../engine/unit-seal.js';
import { writeReport } from '../engine/write-report.js';
import type { TrialResult } from '../run/trial-records.js';
import type { Study } from '../study/study-schema.js';
import { codeVersion } from './code-version.js';
import { buildPublication, type Publication } from './publication.js';
import { type ReproduceRecord, reproduceRecordFile } from './reproduce-command.js';

/** Where `actlab publish` puts a study's results unless told: the docs' committed results. */
export function defaultPublishFolder(studyName: string): string {
  return resolve('apps/docs/results', studyName);
}

/** The small files of a run folder that are published (figures: only specs and SVGs). */
const publishedFiles = ['manifest.json', 'metrics.csv', 'report.md', reproduceRecordFile];
const isPublishedFigure = (name: string) => name.endsWith('.vl.json') || name.endsWith('.svg');

async function readManifest(runFolder: string): Promise<RunManifest<Study>> {
  const manifest = await readJsonIfExists<RunManifest<Study>>(join(runFolder, 'manifest.json'));
  if (!manifest) {
    throw new StudyError({
      code: 'RUN_NOT_FOUND',
      message: `${runFolder} has no manifest.json: it is not a run folder`,
    });
  }
  const kind = manifest.kind ?? 'grid';
  if (kind !== 'grid') {
    throw new StudyError({
      code: 'RUN_NOT_PUBLISHABLE',
      message: `${runFolder} holds a ${kind} study: actlab publish takes grid studies only for now (their results have one table layout; the ${kind} kind's has not been mapped to the Results pages yet)`,
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

/**
 * `actlab publish <run folder> [--to <folder>]`: checks that every unit of a grid run finished
 * (against its checksums), rewrites its report, and copies its small result files (manifest with
 * machine and dates, metrics.csv, report.md, the figures' Vega-Lite specs and SVGs,
 * reproduce.json; never checkpoints) with a `publication.json` (mean ± sd per grid point, the
 * seed's value, gaps, code version) into `--to`, by default `apps/docs/results/<study>/`, whose
 * previous contents it replaces.
 *
 * @throws {@link StudyError} `RUN_NOT_FOUND`, `RUN_NOT_PUBLISHABLE` (another kind, or --quick),
 *   `RUN_NOT_FINISHED` naming the units still to run and the command that resumes them
 */
export async function publishRun(
  runFolder: string,
  options: { to?: string } = {},
): Promise<{ target: string; files: string[]; publication: Publication }> {
  const folder = resolve(runFolder);
  const manifest = await readManifest(folder);
  const unfinished: string[] = [];
  for (const unit of manifest.trials) {
    const check = await checkUnit(unitFolder(folder, unit.id), unit.id);
    if (check.state !== 'finished') unfinished.push(`${unit.label} (${check.state})`);
  }
  if (unfinished.length > 0) {
    const seeds = manifest.options.seeds ? ` --seeds ${manifest.options.seeds}` : '';
    throw new StudyError({
      code: 'RUN_NOT_FINISHED',
      message: `${folder} is not finished: ${unfinished.length} of ${manifest.trials.length} units are not (${unfinished.slice(0, 3).join(', ')}${unfinished.length > 3 ? ', …' : ''}); finish it with \`actlab run ${manifest.study.name} --out ${folder}${seeds}\`, then publish`,
    });
  }
  await writeReport(folder);
  const finished = await readFinishedResults(folder);
  const results = manifest.trials.map((unit) => ({
    axes: unit.axes,
    result: finished.get(unit.id) as TrialResult,
  }));
  const record = await readJsonIfExists<ReproduceRecord>(join(folder, reproduceRecordFile));
  const session = record?.sessions.filter((entry) => entry.outcome === 'finished').at(-1);
  const code: Publication['code'] = session
    ? { commit: session.commit, dirty: session.dirty, recordedBy: 'reproduce' }
    : { ...codeVersion(), recordedBy: 'publish' };
  const publication = buildPublication(manifest, results, code);
  const target = resolve(options.to ?? defaultPublishFolder(manifest.study.name));
  await rm(target, { recursive: true, force: true });
  await mkdir(join(target, 'figures'), { recursive: true });
  const files: string[] = [];
  const present = new Set(await readdir(folder));
  for (const name of publishedFiles.filter((file) => present.has(file))) {
    await copyFile(join(folder, name), join(target, name));
    files.push(name);
  }
  for (const name of (await readdir(join(folder, 'figures'))).filter(isPublishedFigure).sort()) {
    await copyFile(join(folder, 'figures', name), join(target, 'figures', name));
    files.push(`figures/${name}`);
  }
  await writeJsonAtomic(join(target, 'publication.json'), publication);
  files.push('publication.json');
  return { target, files, publication };
}

/** `actlab publish`: publishes a run folder and says where, with each gap beyond noise. */
export async function publishCommand(runFolder: string, options: { to?: string }): Promise<void> {
  const { target, files, publication } = await publishRun(runFolder, options);
  const gaps = publication.points.filter((point) => point.gap);
  process.stdout.write(
    `published ${publication.study.name} (${publication.run.units} units, ${publication.run.seeds} seeds per grid point) to ${target}: ${files.length} files\n`,
  );
  for (const point of gaps) {
    process.stdout.write(
      `  gap beyond noise: ${point.label}: ours ${point.ours?.text}, the seed's ${point.reference}\n`,
    );
  }
}
