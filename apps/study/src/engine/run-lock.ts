import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFailure } from './atomic-files.js';
import { StudyError } from './study-error.js';

/** The lock file of a run folder, present while an `actlab run` uses the folder. */
export const lockFileName = 'run.lock';

/** Who holds a run folder's lock. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the owner took the lock. */
  startedAt: string;
  /** The owner's command line, for the message a second run gets. */
  command: string;
  /** Linux's id of the boot the owner ran in: after a reboot its pid may belong to another process. */
  bootId?: string;
}

/** This boot's id on Linux, undefined elsewhere. */
function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A held lock; release it when the run ends (it is also removed if the process exits). */
export interface RunLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** The stale owner this lock replaced, if any. */
  readonly tookOverFrom?: LockOwner;
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const describeOwner = (owner: LockOwner) =>
  `pid ${owner.pid} on ${owner.hostname} since ${owner.startedAt} (${owner.command})`;

/** Creates the lock file with its content in one step: a complete temp file, hard-linked. */
async function tryCreate(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeFailure(error, path);
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

async function readOwner(path: string): Promise<{ text: string; owner?: LockOwner } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return typeof owner.pid === 'number' ? { text, owner } : { text };
  } catch {
    return { text };
  }
}

/**
 * Moves a stale lock away, making sure it is the one judged stale (another run may have taken
 * it over meanwhile; that one is put back).
 */
async function removeStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw writeFailure(error, path);
  }
  if ((await readFile(aside, 'utf8')) !== staleText) {
    await link(aside, path).catch(() => undefined);
  }
  await rm(aside, { force: true });
}

/**
 * Takes the lock of a run folder: `run.lock` with this process's pid, host name and start time,
 * created atomically. A lock left by a process of this machine that no longer runs (killed,
 * crashed) is taken over, and `log` says so.
 *
 * @throws {@link StudyError} `RUN_FOLDER_IN_USE` naming the owner when a running process of
 *   this machine, or any process of another machine, holds the lock; `FOLDER_NOT_WRITABLE` or
 *   `DISK_FULL` when the lock cannot be written
 */
export async function acquireRunLock(
  runFolder: string,
  log: (line: string) => void = () => undefined,
): Promise<RunLock> {
  const path = join(runFolder, lockFileName);
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    // A --queue URL may carry a password: it must not land in the run folder.
    command: process.argv
      .slice(1)
      .join(' ')
      .replace(/\/\/[^@/\s]*@/g, '//***@'),
  };
  const bootId = currentBootId();
  if (bootId) owner.bootId = bootId;
  const text = `${JSON.stringify(owner, null, 2)}\n`;
  let tookOverFrom: LockOwner | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(path, text)) return held(path, owner, text, tookOverFrom);
    const found = await readOwner(path);
    if (!found) continue;
    const holder = found.owner;
    if (holder && holder.hostname !== owner.hostname) {
      throw new StudyError({
        code: 'RUN_FOLDER_IN_USE',
        message: `the run folder ${runFolder} is in use by ${describeOwner(holder)}, another machine; wait for that run to end, or, if it is gone (that machine crashed), delete ${path} and run again`,
      });
    }
    const rebooted =
      holder?.bootId !== undefined && bootId !== undefined && holder.bootId !== bootId;
    if (holder && !rebooted && isAlive(holder.pid)) {
      throw new StudyError({
        code: 'RUN_FOLDER_IN_USE',
        message: `the run folder ${runFolder} is in use by ${describeOwner(holder)}; wait for that run to end (or stop it), or give this run another folder with --out`,
      });
    }
    await removeStale(path, found.text);
    tookOverFrom = holder;
    log(
      holder
        ? `took over the lock of ${describeOwner(holder)}: that process no longer runs${rebooted ? ' (the machine has restarted since)' : ''}`
        : `replaced the unreadable lock file ${path}`,
    );
  }
  throw new StudyError({
    code: 'RUN_FOLDER_IN_USE',
    message: `could not take the lock ${path}: other runs keep taking it; run one at a time`,
  });
}

function held(path: string, owner: LockOwner, text: string, tookOverFrom?: LockOwner): RunLock {
  // Exit by process.exit or an uncaught error still removes the lock; kill -9 leaves it stale.
  const onExit = () => {
    try {
      unlinkSync(path);
    } catch {}
  };
  process.once('exit', onExit);
  return {
    path,
    owner,
    ...(tookOverFrom ? { tookOverFrom } : {}),
    async release() {
      process.off('exit', onExit);
      const current = await readOwner(path).catch(() => undefined);
      if (current?.text === text) await rm(path, { force: true });
    },
  };
}
