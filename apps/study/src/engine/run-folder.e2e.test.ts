import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@actlab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockOwner } from './run-lock.js';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../../dist/cli.js');
const dataDir = process.env.ACTLAB_DATA_DIR;

const study = `name: lock-grid
title: Lock grid
description: Two activations, enough epochs to be stopped on the way.
base: { dataset: mnist, trainSize: 1000, testSize: 200, validationFraction: 0.1, width: 16, depth: 2, epochs: 30, batchSize: 32, optimizer: { name: sgd, learningRate: 0.05 } }
grid: { activation: [relu, tanh] }
report: { figures: [] }
`;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error('timed out waiting');
}

/** True once some unit of the run folder has saved a checkpoint. */
async function hasCheckpoint(folder: string): Promise<boolean> {
  const ids = await readdir(join(folder, 'trials')).catch(() => [] as string[]);
  for (const id of ids) {
    if (await exists(join(folder, 'trials', id, 'checkpoint.json'))) return true;
  }
  return false;
}

describe.skipIf(!dataDir)('the run-folder lock with real `actlab run` processes', () => {
  let temp: { path: string; remove: () => Promise<void> };
  let studyFile: string;
  let longStudyFile: string;
  const children: ChildProcess[] = [];
  const args = (out: string, file = studyFile) => [
    cli,
    'run',
    file,
    '--plain',
    '--no-report',
    '--workers',
    '1',
    '--backend',
    'cpu',
    '--data-dir',
    dataDir as string,
    '--out',
    out,
  ];
  const start = (out: string, file = studyFile) => {
    const child = spawn('node', args(out, file), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    children.push(child);
    const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    return { child, exit, stderr: () => stderr };
  };
  beforeAll(async () => {
    temp = await makeTempDir('actlab-lock-e2e-');
    studyFile = join(temp.path, 'lock-grid.yaml');
    await writeFile(studyFile, study);
    // Runs for minutes: it is still running when the second run starts, whatever the load.
    longStudyFile = join(temp.path, 'long-grid.yaml');
    await writeFile(longStudyFile, study.replace('epochs: 30', 'epochs: 5000'));
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await temp.remove();
  });

  it('refuses a second run on a folder in use, and SIGTERM ends the first run with its lock removed', async () => {
    const out = join(temp.path, 'busy');
    const first = start(out, longStudyFile);
    await waitFor(() => hasCheckpoint(out));
    const second = await run('node', args(out, longStudyFile)).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('[RUN_FOLDER_IN_USE]');
    expect(second.stderr).toContain(`pid ${first.child.pid}`);
    expect(first.child.exitCode).toBeNull();
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(130);
    expect(await exists(join(out, 'run.lock'))).toBe(false);
  }, 600_000);

  it('after kill -9 the stale lock is taken over with a message, and the rerun completes', async () => {
    const out = join(temp.path, 'killed');
    const first = start(out);
    await waitFor(() => hasCheckpoint(out));
    first.child.kill('SIGKILL');
    await first.exit;
    const stale = JSON.parse(await readFile(join(out, 'run.lock'), 'utf8')) as LockOwner;
    expect(stale.pid).toBe(first.child.pid);
    const { stderr } = await run('node', args(out), { maxBuffer: 1 << 26 });
    expect(stderr).toContain(`took over the lock of pid ${first.child.pid}`);
    expect(stderr).toContain('0 failed');
    expect(await exists(join(out, 'run.lock'))).toBe(false);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    for (const { id } of manifest.trials as { id: string }[]) {
      expect(await exists(join(out, 'trials', id, 'checksums.json'))).toBe(true);
    }
  }, 600_000);
});
