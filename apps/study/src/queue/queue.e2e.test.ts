import { execFile, spawn } from 'node:child_process';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  hasRedisServer,
  makeTempDir,
  startRedisServer,
  type TestRedisServer,
} from '@actlab/test-utils';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliProcess,
  cli,
  comparable,
  completedIds,
  readResults,
  startCli,
  stopCli,
  tinyStudy,
  waitFor,
} from './queue-test-support.js';

const run = promisify(execFile);
const dataDir = process.env.ACTLAB_DATA_DIR;

const workers: CliProcess[] = [];

function startWorker(
  url: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): CliProcess {
  const worker = startCli(
    ['worker', '--queue', url, '--backend', 'cpu', '--data-dir', dataDir as string, ...extra],
    env,
  );
  workers.push(worker);
  return worker;
}

const stopWorker = stopCli;
const study = tinyStudy;

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe.skipIf(!(dataDir && hasRedisServer))(
  'actlab run --queue with actlab worker (real redis-server)',
  () => {
    let folder: { path: string; remove: () => Promise<void> };
    let redis: TestRedisServer;
    let tinyPath: string;
    let slowPath: string;
    const withReport = ['--backend', 'cpu', '--plain', '--data-dir', dataDir as string];
    // Reports take seconds to render; only the first queued run writes one.
    const common = [...withReport, '--no-report'];

    beforeAll(async () => {
      folder = await makeTempDir('actlab-queue-');
      redis = await startRedisServer();
      tinyPath = join(folder.path, 'tiny.yaml');
      await writeFile(tinyPath, study({ trainSize: 300, epochs: 2, width: 8 }));
      slowPath = join(folder.path, 'slow.yaml');
      await writeFile(slowPath, study({ trainSize: 600, epochs: 2, width: 32 }));
    });

    afterEach(async () => {
      await Promise.all(workers.splice(0).map((worker) => stopWorker(worker, 'SIGKILL')));
    });

    afterAll(async () => {
      await redis?.stop();
      await folder?.remove();
    });

    it('runs 6 trials on 2 worker processes, each exactly once, with the numbers of a local run', async () => {
      const url = `${redis.url}/1`;
      const local = join(folder.path, 'local');
      await run('node', [cli, 'run', tinyPath, ...common, '--out', local, '--workers', '2']);
      const first = startWorker(url);
      const second = startWorker(url);
      const queued = join(folder.path, 'queued');
      const { stderr } = await run('node', [
        cli,
        'run',
        tinyPath,
        ...withReport,
        '--out',
        queued,
        '--queue',
        url,
      ]);
      expect(stderr).toContain('done: 6 completed, 0 diverged, 0 failed');
      const results = await readResults(queued);
      expect(comparable(results)).toEqual(comparable(await readResults(local)));
      await waitFor(async () => completedIds(first.log(), second.log()).length >= 6, 10_000);
      const ids = completedIds(first.log(), second.log());
      expect([...ids].sort()).toEqual(results.map((result) => result.id).sort());
      expect(await readFile(join(queued, 'report.md'), 'utf8')).toContain(
        'Trials: 6 of 6 finished',
      );

      // Enqueuing the same study again duplicates nothing: the finished jobs are collected.
      const again = join(folder.path, 'again');
      const rerun = await run('node', [
        cli,
        'run',
        tinyPath,
        ...common,
        '--out',
        again,
        '--queue',
        url,
      ]);
      expect(rerun.stderr).toContain('done: 6 completed');
      await new Promise((done) => setTimeout(done, 300));
      expect(completedIds(first.log(), second.log())).toHaveLength(6);
    }, 120_000);

    it('retries a trial whose worker was SIGKILLed mid-trial on another worker, from its checkpoint', async () => {
      const url = `${redis.url}/2`;
      const fast = ['--lock-duration', '1500', '--stalled-interval', '500'];
      const out = join(folder.path, 'killed-worker');
      const coordinator = run('node', [
        cli,
        'run',
        slowPath,
        ...common,
        '--out',
        out,
        '--queue',
        url,
        '--trainer',
        'tfjs',
      ]);
      const doomed = startWorker(url, fast);
      const client = new Redis(url);
      try {
        // Kill once a trial has published an epoch's checkpoint and is still running.
        let interrupted: string[] = [];
        await waitFor(async () => {
          interrupted = (await client.keys('actlab:checkpoint:*')).map(
            (key) => key.split(':')[2] as string,
          );
          return interrupted.length > 0;
        }, 60_000);
        await stopWorker(doomed, 'SIGKILL');
        const finishedByDoomed = completedIds(doomed.log());
        interrupted = interrupted.filter((id) => !finishedByDoomed.includes(id));
        expect(interrupted.length).toBeGreaterThan(0);

        const survivor = startWorker(url, fast);
        const { stderr } = await coordinator;
        expect(stderr).toContain('done: 6 completed, 0 diverged, 0 failed');
        const results = await readResults(out);
        const ids = [...finishedByDoomed, ...completedIds(survivor.log())];
        // No trial missing, none doubled.
        expect([...ids].sort()).toEqual(results.map((result) => result.id).sort());
        for (const id of interrupted) {
          expect(results.find((result) => result.id === id)?.resumed).toBe(true);
        }
        const local = join(folder.path, 'slow-local');
        await run('node', [
          cli,
          'run',
          slowPath,
          ...common,
          '--out',
          local,
          '--workers',
          '2',
          '--trainer',
          'tfjs',
        ]);
        expect(comparable(results)).toEqual(comparable(await readResults(local)));
      } finally {
        client.disconnect();
      }
    }, 180_000);

    it('collects the trials that finished while the coordinator was down when it restarts', async () => {
      const url = `${redis.url}/3`;
      const out = join(folder.path, 'restarted');
      const coordinator = spawn(
        'node',
        [cli, 'run', slowPath, ...common, '--out', out, '--queue', url],
        {
          stdio: 'ignore',
        },
      );
      const coordinatorExited = new Promise((done) => coordinator.once('exit', done));
      const worker = startWorker(url);
      await waitFor(async () => {
        // Killed once the coordinator has written at least one result.
        const trials = await readdir(join(out, 'trials')).catch(() => [] as string[]);
        const results = await Promise.all(
          trials.map((id) =>
            access(join(out, 'trials', id, 'result.json')).then(
              () => true,
              () => false,
            ),
          ),
        );
        return results.includes(true);
      }, 60_000);
      coordinator.kill('SIGKILL');
      await coordinatorExited;
      // The worker goes on without a coordinator.
      await waitFor(async () => completedIds(worker.log()).length >= 3, 60_000);
      const { stderr } = await run('node', [
        cli,
        'run',
        slowPath,
        ...common,
        '--out',
        out,
        '--queue',
        url,
      ]);
      expect(stderr).toContain('0 failed');
      // What the first coordinator wrote is kept; the rest is collected from the finished jobs.
      expect(Number(/(\d+) already finished/.exec(stderr)?.[1])).toBeGreaterThanOrEqual(1);
      const results = await readResults(out);
      expect(results).toHaveLength(6);
      await waitFor(async () => completedIds(worker.log()).length >= 6, 10_000);
      expect([...completedIds(worker.log())].sort()).toEqual(
        results.map((result) => result.id).sort(),
      );
    }, 180_000);

    it('fails a trial that cannot run once, with its error, and the study reports it', async () => {
      const url = `${redis.url}/4`;
      const out = join(folder.path, 'failing');
      const learnable = join(folder.path, 'learnable.yaml');
      await writeFile(
        learnable,
        study({ trainSize: 300, epochs: 1, width: 8 })
          .replace('seeds: 3', 'seeds: 1')
          .replace('activation: [relu, tanh]', 'activation: [relu, prelu]'),
      );
      const worker = startWorker(url);
      const failure = await run('node', [
        cli,
        'run',
        learnable,
        ...common,
        '--out',
        out,
        '--queue',
        url,
        '--trainer',
        'fused',
      ]).catch((error) => error);
      expect(failure.code).toBe(1);
      expect(failure.stderr).toContain('1 completed, 0 diverged, 1 failed');
      expect(failure.stderr).toContain('[TRAINER_UNAVAILABLE]');
      const failures = JSON.parse(await readFile(join(out, 'failures.json'), 'utf8'));
      expect(failures).toHaveLength(1);
      expect(failures[0].code).toBe('TRAINER_UNAVAILABLE');
      expect(worker.log().match(/^failed /gm)).toHaveLength(1);
    }, 60_000);
  },
);

describe.skipIf(!(dataDir && hasRedisServer))('actlab run --queue with a password', () => {
  const password = 's3cret-queue-pass';
  let redis: TestRedisServer;
  let folder: { path: string; remove: () => Promise<void> };

  beforeAll(async () => {
    redis = await startRedisServer({ password });
    folder = await makeTempDir('actlab-queue-auth-');
  });

  afterAll(async () => {
    await Promise.all(workers.splice(0).map((worker) => stopWorker(worker, 'SIGKILL')));
    await redis?.stop();
    await folder?.remove();
  });

  it('runs through redis://:password@host and writes the password nowhere', async () => {
    const studyPath = join(folder.path, 'tiny.yaml');
    await writeFile(
      studyPath,
      study({ trainSize: 300, epochs: 1, width: 8 }).replace('seeds: 3', 'seeds: 1'),
    );
    const worker = startWorker(redis.url);
    const out = join(folder.path, 'run');
    const { stdout, stderr } = await run('node', [
      cli,
      'run',
      studyPath,
      '--backend',
      'cpu',
      '--plain',
      '--data-dir',
      dataDir as string,
      '--out',
      out,
      '--queue',
      redis.url,
    ]);
    expect(stderr).toContain('done: 2 completed');
    expect(stderr).toContain(`queue redis://127.0.0.1:${redis.port}`);
    const files = await filesUnder(out);
    expect(files.some((file) => file.endsWith('report.md'))).toBe(true);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect(await readFile(file, 'latin1'), file).not.toContain(password);
    expect(stdout + stderr + worker.log()).not.toContain(password);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.options.queue).toBe(`redis://127.0.0.1:${redis.port}`);
  }, 60_000);

  it('stops with a clear error, not a hang, when the password is wrong', async () => {
    const wrong = redis.url.replace(password, 'wrong-pass');
    const failure = await run(
      'node',
      [
        cli,
        'run',
        join(folder.path, 'tiny.yaml'),
        '--plain',
        '--out',
        join(folder.path, 'wrong'),
        '--queue',
        wrong,
      ],
      { timeout: 30_000 },
    ).catch((error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toMatch(/WRONGPASS|password/i);
    expect(failure.stderr).not.toContain('wrong-pass');
  }, 40_000);
});

describe.skipIf(!(dataDir && hasRedisServer))('actlab run --queue over TLS', () => {
  let redis: TestRedisServer;
  let folder: { path: string; remove: () => Promise<void> };

  beforeAll(async () => {
    redis = await startRedisServer({ password: 'tls-pass', tls: true });
    folder = await makeTempDir('actlab-queue-tls-');
  });

  afterAll(async () => {
    await Promise.all(workers.splice(0).map((worker) => stopWorker(worker, 'SIGKILL')));
    await redis?.stop();
    await folder?.remove();
  });

  it('runs through rediss:// with a password, trusting the server through NODE_EXTRA_CA_CERTS', async () => {
    expect(redis.url.startsWith('rediss://')).toBe(true);
    const studyPath = join(folder.path, 'tiny.yaml');
    await writeFile(
      studyPath,
      study({ trainSize: 300, epochs: 1, width: 8 }).replace('seeds: 3', 'seeds: 1'),
    );
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: redis.caFile };
    startWorker(redis.url, [], env);
    const out = join(folder.path, 'run');
    const { stderr } = await run(
      'node',
      [
        cli,
        'run',
        studyPath,
        '--backend',
        'cpu',
        '--plain',
        '--no-report',
        '--data-dir',
        dataDir as string,
        '--out',
        out,
        '--queue',
        redis.url,
      ],
      { env },
    );
    expect(stderr).toContain('done: 2 completed');
    expect(stderr).toContain(`queue rediss://127.0.0.1:${redis.port}`);
  }, 60_000);
});
