import { access, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  hasRedisServer,
  makeTempDir,
  startRedisServer,
  type TestRedisServer,
} from '@actlab/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TrialResult } from '../run/trial-records.js';
import {
  type CliProcess,
  comparable,
  completedIds,
  readResults,
  startCli,
  startedIds,
  stopCli,
  tinyStudy,
  waitFor,
} from './queue-test-support.js';

const dataDir = process.env.ACTLAB_DATA_DIR;

/** Units whose `result.json` the coordinator has written into the run folder. */
async function writtenResults(runFolder: string): Promise<number> {
  const trials = await readdir(join(runFolder, 'trials')).catch(() => [] as string[]);
  const written = await Promise.all(
    trials.map((id) =>
      access(join(runFolder, 'trials', id, 'result.json')).then(
        () => true,
        () => false,
      ),
    ),
  );
  return written.filter(Boolean).length;
}

/** Every id exactly once: no unit missing, none completed twice. */
function expectEachOnce(ids: string[], results: TrialResult[]) {
  expect(ids).toHaveLength(results.length);
  expect([...ids].sort()).toEqual(results.map((result) => result.id).sort());
}

describe.skipIf(!(dataDir && hasRedisServer))(
  'actlab run --queue when Redis crashes or goes away (real redis-server, killed by the test)',
  () => {
    let folder: { path: string; remove: () => Promise<void> };
    let studyPath: string;
    let local: TrialResult[];
    let redis: TestRedisServer | undefined;
    const processes: CliProcess[] = [];
    // Stock tfjs: ≈ 2.5 s a unit here, long enough to crash Redis in the middle of one.
    const common = ['--backend', 'cpu', '--plain', '--no-report', '--trainer', 'tfjs'];

    beforeAll(async () => {
      folder = await makeTempDir('actlab-redis-faults-');
      studyPath = join(folder.path, 'study.yaml');
      await writeFile(studyPath, tinyStudy({ trainSize: 600, epochs: 3, width: 32 }));
      const reference = startCli([
        'run',
        studyPath,
        ...common,
        '--data-dir',
        dataDir as string,
        '--out',
        join(folder.path, 'local'),
        '--workers',
        '1',
      ]);
      await reference.exited;
      expect(reference.child.exitCode, reference.log()).toBe(0);
      local = await readResults(join(folder.path, 'local'));
    }, 90_000);

    afterEach(async () => {
      await Promise.all(processes.splice(0).map((process) => stopCli(process, 'SIGKILL')));
      await redis?.stop();
      redis = undefined;
    });

    afterAll(async () => {
      await folder?.remove();
    });

    /**
     * Runs the study through one worker (one unit at a time) and applies `fault` in the middle:
     * once at least one unit is collected into the run folder and the worker trains the next.
     */
    async function studyWithFault(
      server: TestRedisServer,
      name: string,
      fault: (worker: CliProcess, coordinator: CliProcess) => Promise<void>,
    ) {
      const out = join(folder.path, name);
      const worker = startCli([
        'worker',
        '--queue',
        server.url,
        '--backend',
        'cpu',
        '--data-dir',
        dataDir as string,
        '--concurrency',
        '1',
      ]);
      const coordinator = startCli([
        'run',
        studyPath,
        ...common,
        '--data-dir',
        dataDir as string,
        '--out',
        out,
        '--queue',
        server.url,
      ]);
      processes.push(worker, coordinator);
      await waitFor(async () => {
        const completed = completedIds(worker.log()).length;
        return (
          completed >= 1 &&
          startedIds(worker.log()).length > completed &&
          (await writtenResults(out)) === completed
        );
      }, 60_000);
      const collectedBeforeFault = await writtenResults(out);
      await fault(worker, coordinator);
      await coordinator.exited;
      expect(coordinator.child.exitCode, coordinator.log()).toBe(0);
      const results = await readResults(out);
      // The worker logs a completion just after the coordinator may have seen it.
      await waitFor(async () => completedIds(worker.log()).length >= results.length, 10_000);
      return { worker, coordinator, results, collectedBeforeFault };
    }

    it('finishes every unit exactly once, with the numbers of a local run, when Redis with AOF is restarted mid-study', async () => {
      const server = await startRedisServer({ appendOnly: true });
      redis = server;
      const { worker, coordinator, results, collectedBeforeFault } = await studyWithFault(
        server,
        'aof-restart',
        async () => {
          await server.kill();
          await server.start();
        },
      );
      expect(collectedBeforeFault).toBeGreaterThanOrEqual(1);
      expect(coordinator.log()).toContain('done: 6 completed, 0 diverged, 0 failed');
      expect(coordinator.log()).toContain(`Redis unreachable at redis://127.0.0.1:${server.port}`);
      // AOF kept every job: nothing had to be enqueued again.
      expect(coordinator.log()).not.toMatch(/lost \d+ job/);
      expectEachOnce(completedIds(worker.log()), results);
      expect(comparable(results)).toEqual(comparable(local));
    }, 120_000);

    it('enqueues the jobs a Redis without persistence lost again and finishes every unit exactly once', async () => {
      const server = await startRedisServer();
      redis = server;
      const { worker, coordinator, results, collectedBeforeFault } = await studyWithFault(
        server,
        'volatile-restart',
        async () => {
          await server.kill();
          await server.start();
        },
      );
      const lost = /lost (\d+) job\(s\)/.exec(coordinator.log());
      // Everything not collected before the crash was gone and enqueued again.
      expect(Number(lost?.[1])).toBe(6 - collectedBeforeFault);
      expect(coordinator.log()).toContain('done: 6 completed, 0 diverged, 0 failed');
      expectEachOnce(completedIds(worker.log()), results);
      expect(comparable(results)).toEqual(comparable(local));
    }, 120_000);

    it('retries with backoff, says so, and goes on when Redis is unreachable for a minute', async () => {
      const server = await startRedisServer({ appendOnly: true });
      redis = server;
      const unreachable = `Redis unreachable at redis://127.0.0.1:${server.port}`;
      let workerLogDuringOutage = '';
      let coordinatorLogDuringOutage = '';
      const { worker, coordinator, results } = await studyWithFault(
        server,
        'outage',
        async (w, c) => {
          await server.kill();
          await new Promise((done) => setTimeout(done, 60_000));
          [workerLogDuringOutage, coordinatorLogDuringOutage] = [w.log(), c.log()];
          await server.start();
        },
      );
      // Both said so while Redis was away, and neither died of it.
      expect(workerLogDuringOutage).toContain(unreachable);
      expect(coordinatorLogDuringOutage).toContain(unreachable);
      expect(coordinatorLogDuringOutage).toContain('retrying');
      expect(worker.log()).toMatch(/Redis at \S+ reachable again after \d/);
      expect(coordinator.log()).toMatch(/Redis at \S+ reachable again after \d/);
      expect(worker.child.exitCode).toBeNull();
      // One line per outage, not one per reconnect attempt, and no unhandled error event.
      expect(coordinator.log().split(unreachable)).toHaveLength(2);
      expect(worker.log().split(unreachable)).toHaveLength(2);
      for (const log of [worker.log(), coordinator.log()]) {
        expect(log).not.toMatch(/Unhandled error event|ECONNREFUSED/);
      }
      expect(coordinator.log()).toContain('done: 6 completed, 0 diverged, 0 failed');
      expectEachOnce(completedIds(worker.log()), results);
      expect(comparable(results)).toEqual(comparable(local));
    }, 240_000);
  },
);
