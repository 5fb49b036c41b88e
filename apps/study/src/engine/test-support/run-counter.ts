import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProgressDisplay } from '../progress-display.js';
import { type RunStudyOptions, runStudy } from '../run-study.js';
import { StudyError } from '../study-error.js';
import { counterKind, counterStudy, InlineExecutor } from './counter-kind.js';

/** A progress display that shows nothing. */
export const quietDisplay: ProgressDisplay = {
  unitStarted: () => undefined,
  progress: () => undefined,
  unitFinished: () => undefined,
  unitFailed: () => undefined,
  close: () => undefined,
};

/**
 * Runs the counter study of `starts` (3 steps each) into `runFolder` with the engine's
 * `runStudy`, in this thread (register the kind first with `registerCounterKind`).
 *
 * @returns the summary, the engine's log lines joined, the ids of the units that ran, the plan
 */
export async function runCounter(
  runFolder: string,
  starts = ['a', 'b', 'c'],
  extra: Partial<RunStudyOptions> = {},
) {
  const { study, units } = await counterStudy(starts);
  const executor = new InlineExecutor();
  const log: string[] = [];
  const summary = await runStudy({
    kind: counterKind as never,
    study,
    units,
    runFolder,
    executor,
    job: { backend: 'cpu' },
    manifestOptions: { quick: false, backend: 'cpu' },
    display: quietDisplay,
    log: (line) => log.push(line),
    ...extra,
  });
  return { summary, log: log.join('\n'), ran: executor.ran, units };
}

/** The parsed `result.json` of each unit id, in order. */
export async function counterResults(runFolder: string, ids: string[]): Promise<unknown[]> {
  return Promise.all(
    ids.map(async (id) =>
      JSON.parse(await readFile(join(runFolder, 'trials', id, 'result.json'), 'utf8')),
    ),
  );
}

/** The {@link StudyError} `action` rejects with; throws when it resolves or rejects otherwise. */
export async function studyErrorOf(action: Promise<unknown>): Promise<StudyError> {
  const error = await action.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!StudyError.isInstance(error)) throw new Error(`expected a StudyError, got ${String(error)}`);
  return error;
}
