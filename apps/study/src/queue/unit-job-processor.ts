import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workerData } from 'node:worker_threads';
import type { RedisOptions, SandboxedJob } from 'bullmq';
import { Redis } from 'ioredis';
import { readJsonIfExists } from '../run/atomic-files.js';
import type { Checkpoint } from '../run/checkpoint.js';
import { runOneTrial } from '../run/run-one-trial.js';
import { trialFiles } from '../run/train-trial.js';
import type { GradientRecord } from '../run/trial-records.js';
import { trialId } from '../study/expand-trials.js';
import { trialSettingsSchema } from '../study/study-schema.js';
import { checkpointKey, type TrialJobData, type TrialJobResult } from './trial-queue.js';

/** What `actlab worker` hands each processor thread. */
export interface ProcessorSettings {
  redis: RedisOptions;
  backend: string;
  dataDir?: string;
  /** Scratch folder of this worker process; each trial trains in `trials/<id>/` below it. */
  scratchFolder: string;
  /** Checkpoints larger than this (JSON bytes) are not stored in Redis. */
  checkpointLimitBytes: number;
  /** Seconds a published checkpoint is kept in Redis. */
  checkpointTtlSeconds: number;
}

const settings = workerData as ProcessorSettings;
let redis: Redis | undefined;

function fail(code: string, message: string): Error {
  // BullMQ keeps only the message as the failed reason: the coordinator parses the code back.
  return new Error(`${code}: ${message}`);
}

/**
 * Processes one trial job in a worker thread of `actlab worker`: starts from the checkpoint
 * another worker published (if any), trains, publishes every per-epoch checkpoint, and returns
 * the result with the gradients and the final checkpoint.
 */
export default async function processTrialJob(
  job: SandboxedJob<TrialJobData, TrialJobResult>,
): Promise<TrialJobResult> {
  const { trial, context } = job.data;
  const parsed = trialSettingsSchema.safeParse(trial?.settings);
  if (!parsed.success) {
    throw fail('BAD_TRIAL_CONFIG', `job ${job.id} has invalid settings: ${parsed.error.message}`);
  }
  if (trialId(parsed.data) !== job.id) {
    throw fail('BAD_TRIAL_CONFIG', `job ${job.id} carries settings of another trial`);
  }
  redis ??= new Redis(settings.redis);
  const key = checkpointKey(trial.id);
  const folder = join(settings.scratchFolder, 'trials', trial.id);
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const published = await redis.get(key);
  if (published) await writeFile(join(folder, trialFiles.checkpoint), published);
  try {
    const outcome = await runOneTrial(
      trial,
      {
        ...context,
        runFolder: settings.scratchFolder,
        backend: settings.backend,
        ...(settings.dataDir ? { dataDir: settings.dataDir } : {}),
      },
      // Progress is best effort: a lost update must not fail the trial.
      (progress) => void job.updateProgress({ ...progress }).catch(() => undefined),
      async (checkpoint) => {
        const text = JSON.stringify(checkpoint);
        // Too large for Redis: a retry recomputes from the last one that fitted, or from scratch.
        if (Buffer.byteLength(text) > settings.checkpointLimitBytes) return;
        await redis?.set(key, text, 'EX', settings.checkpointTtlSeconds);
      },
    );
    if (!outcome.ok) throw fail(outcome.code, outcome.message);
    const gradients =
      (await readJsonIfExists<GradientRecord[]>(join(folder, trialFiles.gradients))) ?? [];
    const checkpoint = await readJsonIfExists<Checkpoint>(join(folder, trialFiles.checkpoint));
    const fits =
      checkpoint !== undefined &&
      Buffer.byteLength(JSON.stringify(checkpoint)) <= settings.checkpointLimitBytes;
    return { result: outcome.result, gradients, checkpoint: fits ? checkpoint : null };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
