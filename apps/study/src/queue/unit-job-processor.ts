import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workerData } from 'node:worker_threads';
import type { RedisOptions, SandboxedJob } from 'bullmq';
import { Redis } from 'ioredis';
import { getKind } from '../engine/registry.js';
import { runUnit, unitFiles, unitFolder } from '../engine/run-unit.js';
import { unitId } from '../engine/unit-id.js';
import {
  checkpointKey,
  reconnectDelayMs,
  type UnitJobData,
  type UnitJobResult,
} from './unit-queue.js';

/** What `actlab worker` hands each processor thread. */
export interface ProcessorSettings {
  redis: RedisOptions;
  backend: string;
  dataDir?: string;
  /** Scratch folder of this worker process; each unit runs in `trials/<id>/` below it. */
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
 * Processes one job `{kind, unit}` in a worker thread of `actlab worker`, for any study kind:
 * starts from the checkpoint another worker published (if any), runs the unit, publishes every
 * checkpoint it saves, and returns every file of the unit's folder.
 */
export default async function processUnitJob(
  job: SandboxedJob<UnitJobData, UnitJobResult>,
): Promise<UnitJobResult> {
  const { kind, unit } = job.data;
  try {
    getKind(kind);
  } catch (error) {
    throw fail('BAD_UNIT', (error as Error).message);
  }
  if (unitId(unit?.settings) !== job.id) {
    throw fail('BAD_UNIT', `job ${job.id} carries settings of another unit`);
  }
  if (!redis) {
    // Reconnects with the worker's backoff; the worker's main thread reports outages.
    redis = new Redis({ ...settings.redis, retryStrategy: reconnectDelayMs });
    redis.on('error', () => undefined);
  }
  const key = checkpointKey(unit.id);
  const folder = unitFolder(settings.scratchFolder, unit.id);
  await rm(folder, { recursive: true, force: true });
  const published = await redis.get(key);
  if (published) {
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, unitFiles.checkpoint), published);
  }
  try {
    const outcome = await runUnit(
      unit,
      {
        kind,
        runFolder: settings.scratchFolder,
        backend: settings.backend,
        ...(settings.dataDir ? { dataDir: settings.dataDir } : {}),
      },
      // Progress is best effort: a lost update must not fail the unit.
      (progress) => void job.updateProgress({ ...progress }).catch(() => undefined),
      async (checkpoint) => {
        const text = JSON.stringify(checkpoint);
        // Too large for Redis: a retry recomputes from the last one that fitted, or from scratch.
        if (Buffer.byteLength(text) > settings.checkpointLimitBytes) return;
        await redis?.set(key, text, 'EX', settings.checkpointTtlSeconds);
      },
    );
    if (!outcome.ok) throw fail(outcome.code, outcome.message);
    const files: UnitJobResult['files'] = [];
    for (const name of await readdir(folder)) {
      const bytes = await readFile(join(folder, name));
      if (name === unitFiles.checkpoint && bytes.byteLength > settings.checkpointLimitBytes) {
        continue;
      }
      files.push({ name, base64: bytes.toString('base64') });
    }
    return { result: outcome.result, files };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
