import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ActlabError } from '@actlab/errors';
import { type RunOutcome, runCommand } from '../commands/study-commands.js';
import { readJsonIfExists, writeJsonAtomic } from '../engine/atomic-files.js';
import { formatDuration } from '../engine/progress-display.js';
import { StudyError } from '../engine/study-error.js';
import { listPresets, loadStudy } from '../study/load-study.js';
import { type CodeVersion, codeVersion } from './code-version.js';
import { type PresetToPlan, planReproduction, runName } from './reproduce-plan.js';

/** The fewest seeds per grid point a reproduction may use. */
export const minimumSeeds = 3;

/** The file in each run folder where `actlab reproduce` records its sessions. */
export const reproduceRecordFile = 'reproduce.json';

/** One `actlab reproduce` session of one run folder: which code, when, how long, how it ended. */
export interface ReproduceSession extends CodeVersion {
  startedAt: string;
  seconds: number;
  outcome: RunOutcome;
  seeds: number;
}

/** `reproduce.json`: every session that worked on the run folder, oldest first. */
export interface ReproduceRecord {
  sessions: ReproduceSession[];
}

/** Options of `actlab reproduce`. */
export interface ReproduceOptions {
  /** Folder of the run folders, one `<preset>/` each. */
  out: string;
  seeds: number;
  workers: number;
  backend: string;
  dataDir?: string;
  plain: boolean;
  /** Run the units as BullMQ jobs on this Redis instead of local worker threads. */
  queue?: string;
}

async function recordSession(runFolder: string, session: ReproduceSession): Promise<void> {
  if (!existsSync(join(runFolder, 'manifest.json'))) return;
  const path = join(runFolder, reproduceRecordFile);
  const record = (await readJsonIfExists<ReproduceRecord>(path)) ?? { sessions: [] };
  record.sessions.push(session);
  await writeJsonAtomic(path, record);
}

/**
 * `actlab reproduce [presets…]`: runs every preset (or those named) at full size with ≥ 3 seeds,
 * each into `<out>/<preset>/` (and its study's variants into `<out>/<preset>-<variant>/`), one
 * after another, through `actlab run` (so a rerun resumes and skips finished units, and `--queue`
 * spreads the units); lists the studies it cannot run yet with their reason; prints each run's
 * time and the total.
 *
 * @returns `interrupted` when a run was stopped (later runs are not started), `failed` when any
 *   run failed, else `finished`
 * @throws {@link StudyError} `INVALID_ARGUMENT` for fewer than 3 seeds
 */
export async function reproduceCommand(
  asked: string[],
  options: ReproduceOptions,
): Promise<RunOutcome> {
  if (options.seeds < minimumSeeds) {
    throw new StudyError({
      code: 'INVALID_ARGUMENT',
      message: `--seeds ${options.seeds}: a reproduction needs at least ${minimumSeeds} seeds per grid point for mean ± sd`,
    });
  }
  const out = resolve(options.out);
  const presets: PresetToPlan[] = [];
  for (const name of await listPresets()) {
    const { kind, study } = await loadStudy(name);
    presets.push({ name, kind, variants: kind.variants?.(study) ?? [] });
  }
  const { runs, pending } = planReproduction(asked, presets, out);
  const write = (line: string) => process.stderr.write(`${line}\n`);
  write(
    `reproduce: ${runs.length} stud${runs.length === 1 ? 'y' : 'ies'} at full size, ${options.seeds} seeds each, in ${out}`,
  );
  for (const study of pending) write(`  pending: ${study.study}: ${study.reason}`);
  const version = codeVersion();
  const started = Date.now();
  const done: { preset: string; outcome: RunOutcome; seconds: number; note?: string }[] = [];
  let outcome: RunOutcome = 'finished';
  for (const run of runs) {
    const name = runName(run);
    write(`\nreproduce: ${name} → ${run.runFolder}`);
    const startedAt = new Date();
    let runOutcome: RunOutcome;
    let note: string | undefined;
    try {
      runOutcome = await runCommand(run.preset, {
        out: run.runFolder,
        seeds: options.seeds,
        workers: options.workers,
        quick: false,
        backend: options.backend,
        plain: options.plain,
        report: true,
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(options.queue ? { queue: options.queue } : {}),
        ...(run.variant?.sources ? { sources: run.variant.sources } : {}),
      });
    } catch (error) {
      if (!ActlabError.isInstance(error)) throw error;
      runOutcome = 'failed';
      note = `${error.message} [${error.code}]`;
      write(`reproduce: ${name} failed: ${note}`);
    }
    const seconds = (Date.now() - startedAt.getTime()) / 1000;
    await recordSession(run.runFolder, {
      ...version,
      startedAt: startedAt.toISOString(),
      seconds,
      outcome: runOutcome,
      seeds: options.seeds,
    });
    done.push({ preset: name, outcome: runOutcome, seconds, ...(note ? { note } : {}) });
    if (runOutcome === 'interrupted') {
      outcome = 'interrupted';
      break;
    }
    if (runOutcome === 'failed') outcome = 'failed';
  }
  write('\nreproduce:');
  for (const run of done) {
    write(`  ${run.preset.padEnd(24)} ${run.outcome.padEnd(11)} ${formatDuration(run.seconds)}`);
  }
  for (const run of runs.slice(done.length)) write(`  ${runName(run).padEnd(24)} not started`);
  for (const study of pending) write(`  ${study.study.padEnd(24)} pending (${study.reason})`);
  write(`total time: ${formatDuration((Date.now() - started) / 1000)}`);
  if (outcome === 'interrupted') write('stopped: run the same command again to resume');
  return outcome;
}
