import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRunLock, type LockOwner, lockFileName } from './run-lock.js';
import { StudyError } from './study-error.js';
import { studyErrorOf } from './test-support/run-counter.js';

let temp: { path: string; remove: () => Promise<void> };
let folders = 0;
const children: ChildProcess[] = [];
beforeAll(async () => {
  temp = await makeTempDir('actlab-run-lock-');
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await temp.remove();
});

async function newFolder(): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  const folder = join(temp.path, `run-${++folders}`);
  await mkdir(folder);
  return folder;
}

async function writeLock(folder: string, owner: Partial<LockOwner>): Promise<void> {
  const full: LockOwner = {
    pid: 1,
    hostname: hostname(),
    startedAt: '2026-12-05T08:00:00.000Z',
    command: 'actlab run depth-activation',
    ...owner,
  };
  await writeFile(join(folder, lockFileName), JSON.stringify(full));
}

/** A pid that is not running: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((done) => child.once('exit', done));
  return child.pid as number;
}

describe('acquireRunLock', () => {
  it('writes the owner pid, host name and start time, and release removes the lock', async () => {
    const folder = await newFolder();
    const lock = await acquireRunLock(folder);
    const owner = JSON.parse(await readFile(join(folder, lockFileName), 'utf8')) as LockOwner;
    expect(owner.pid).toBe(process.pid);
    expect(owner.hostname).toBe(hostname());
    expect(Date.parse(owner.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    await lock.release();
    expect(await readdir(folder)).toEqual([]);
  });

  it('keeps a password of a --queue URL out of the lock file', async () => {
    const folder = await newFolder();
    const argv = process.argv;
    process.argv = ['node', 'cli.js', 'run', 'x', '--queue', 'redis://:s3cret@redis.lab:6379/1'];
    try {
      const lock = await acquireRunLock(folder);
      const text = await readFile(join(folder, lockFileName), 'utf8');
      expect(text).not.toContain('s3cret');
      expect(text).toContain('redis://***@redis.lab:6379/1');
      await lock.release();
    } finally {
      process.argv = argv;
    }
  });

  it('refuses a second run while a running process of this machine holds the lock, naming it', async () => {
    const folder = await newFolder();
    const holder = spawn('sleep', ['60']);
    children.push(holder);
    await writeLock(folder, { pid: holder.pid as number });
    const error = await studyErrorOf(acquireRunLock(folder));
    expect(error.code).toBe('RUN_FOLDER_IN_USE');
    expect(error.message).toContain(`pid ${holder.pid} on ${hostname()}`);
    expect(error.message).toContain('actlab run depth-activation');
    holder.kill('SIGKILL');
  });

  it('lets exactly one of two runs racing for the same folder take the lock', async () => {
    const folder = await newFolder();
    const outcomes = await Promise.allSettled([acquireRunLock(folder), acquireRunLock(folder)]);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const lost = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(StudyError.hasCode(lost?.reason, 'RUN_FOLDER_IN_USE')).toBe(true);
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });

  it('takes over a stale lock of a process of this machine that no longer runs, and says so', async () => {
    const folder = await newFolder();
    const pid = await deadPid();
    await writeLock(folder, { pid });
    const lines: string[] = [];
    const lock = await acquireRunLock(folder, (line) => lines.push(line));
    expect(lock.tookOverFrom?.pid).toBe(pid);
    expect(lines.join('\n')).toContain(`took over the lock of pid ${pid}`);
    const owner = JSON.parse(await readFile(join(folder, lockFileName), 'utf8')) as LockOwner;
    expect(owner.pid).toBe(process.pid);
    await lock.release();
    expect(await readdir(folder)).toEqual([]);
  });

  it.skipIf(process.platform !== 'linux')(
    'takes over a lock from before a restart of this machine even if its pid now runs another process',
    async () => {
      const folder = await newFolder();
      const other = spawn('sleep', ['60']);
      children.push(other);
      await writeLock(folder, { pid: other.pid as number, bootId: 'a-boot-before-the-restart' });
      const lines: string[] = [];
      const lock = await acquireRunLock(folder, (line) => lines.push(line));
      expect(lock.tookOverFrom?.pid).toBe(other.pid);
      expect(lines.join('\n')).toContain('the machine has restarted since');
      await lock.release();
      other.kill('SIGKILL');
    },
  );

  it('refuses a lock held on another machine, naming its owner, even when its pid is not running here', async () => {
    const folder = await newFolder();
    const pid = await deadPid();
    await writeLock(folder, { pid, hostname: 'gpu-box-7' });
    const error = await studyErrorOf(acquireRunLock(folder));
    expect(error.code).toBe('RUN_FOLDER_IN_USE');
    expect(error.message).toContain(`pid ${pid} on gpu-box-7`);
    expect(error.message).toContain(join(folder, lockFileName));
    expect(JSON.parse(await readFile(join(folder, lockFileName), 'utf8')).hostname).toBe(
      'gpu-box-7',
    );
  });
});
