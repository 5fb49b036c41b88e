import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ActlabError } from '@actlab/errors';
import { readJsonIfExists, writeJsonAtomic } from './atomic-files.js';
import { getKind } from './registry.js';
import type { Unit, UnitProgress, UnitResult } from './study-kind.js';
import type { UnitJob } from './unit-executor.js';
import { useBackend } from './use-backend.js';

/** Files of a unit folder that the engine owns. */
export const unitFiles = { checkpoint: 'checkpoint.json', result: 'result.json' } as const;

/** The engine's checkpoint file: a kind's state after `step` finished steps. */
export interface UnitCheckpoint {
  unitId: string;
  step: number;
  state: unknown;
}

/** Outcome of one unit run inside a thread. */
export type UnitOutcome =
  | { ok: true; result: UnitResult }
  | { ok: false; code: string; message: string };

/** The folder of a unit in a run folder. */
export function unitFolder(runFolder: string, id: string): string {
  return join(runFolder, 'trials', id);
}

/**
 * Runs one unit in this thread: selects the backend (once per thread), hands the kind its
 * context, and writes `result.json` last. Errors become an outcome, never a throw.
 *
 * @param onCheckpoint - called with every saved checkpoint (the queue worker publishes it)
 */
export async function runUnit(
  unit: Unit,
  job: UnitJob,
  onProgress: (progress: UnitProgress) => void,
  onCheckpoint?: (checkpoint: UnitCheckpoint) => void | Promise<void>,
): Promise<UnitOutcome> {
  try {
    const kind = getKind(job.kind);
    const backend = await useBackend(job.backend);
    const folder = unitFolder(job.runFolder, unit.id);
    await mkdir(folder, { recursive: true });
    const checkpointPath = join(folder, unitFiles.checkpoint);
    const result = await kind.runUnit(unit, {
      folder,
      backend,
      ...(job.dataDir ? { dataDir: job.dataDir } : {}),
      progress: (progress) => onProgress({ unitId: unit.id, ...progress }),
      loadCheckpoint: async <State>() => {
        const saved = await readJsonIfExists<UnitCheckpoint>(checkpointPath);
        return saved?.unitId === unit.id
          ? { step: saved.step, state: saved.state as State }
          : undefined;
      },
      saveCheckpoint: async (step, state) => {
        const checkpoint: UnitCheckpoint = { unitId: unit.id, step, state };
        await writeJsonAtomic(checkpointPath, checkpoint);
        await onCheckpoint?.(checkpoint);
      },
    });
    await writeJsonAtomic(join(folder, unitFiles.result), result);
    return { ok: true, result };
  } catch (error) {
    const code = ActlabError.isInstance(error) ? error.code : 'UNIT_FAILED';
    return { ok: false, code, message: (error as Error).message ?? String(error) };
  }
}
