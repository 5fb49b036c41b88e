import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerCounterKind } from './test-support/counter-kind.js';
import { clearDiskFaults, diskFaults } from './test-support/disk-faults.js';
import { counterResults, runCounter, studyErrorOf } from './test-support/run-counter.js';

vi.mock('node:fs/promises', async (original) =>
  (await import('./test-support/disk-faults.js')).withDiskFaults(await original()),
);

let temp: { path: string; remove: () => Promise<void> };
let unregister: () => void;
let folders = 0;
beforeAll(async () => {
  temp = await makeTempDir('actlab-run-study-disk-');
  unregister = registerCounterKind();
});
afterAll(async () => {
  unregister();
  await temp.remove();
});
afterEach(() => clearDiskFaults());

const newFolder = () => join(temp.path, `run-${++folders}`);

describe('runStudy when the disk fills up', () => {
  it('stops with DISK_FULL naming the file, leaves no half file, and a rerun after freeing space ends as an uninterrupted run', async () => {
    const baselineFolder = newFolder();
    const baseline = await runCounter(baselineFolder);
    const ids = baseline.units.map((unit) => unit.id);
    const folder = newFolder();
    const second = ids[1] as string;
    diskFaults.code = 'ENOSPC';
    diskFaults.matches = (path) => path.includes(`${second}/.checkpoint.json`);

    const error = await studyErrorOf(runCounter(folder));

    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toContain(join(folder, 'trials', second, 'checkpoint.json'));
    expect(error.message).toContain('free space');
    expect(diskFaults.injected).toBe(1);
    const names = await readdir(folder, { recursive: true });
    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(names).not.toContain(join('trials', second, 'result.json'));
    expect(names).not.toContain('run.lock');

    clearDiskFaults();
    const rerun = await runCounter(folder);
    expect(rerun.ran).toEqual(ids.slice(1));
    expect(await counterResults(folder, ids)).toEqual(await counterResults(baselineFolder, ids));
  });

  it('never takes a unit whose result.json could not be written for a finished one', async () => {
    const baselineFolder = newFolder();
    const { units } = await runCounter(baselineFolder, ['a']);
    const id = units[0]?.id as string;
    const folder = newFolder();
    diskFaults.code = 'EDQUOT';
    diskFaults.matches = (path) => path.includes(`${id}/.result.json`);
    const error = await studyErrorOf(runCounter(folder, ['a']));
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toContain('quota');
    expect(await readdir(join(folder, 'trials', id))).not.toContain('result.json');
    clearDiskFaults();
    const rerun = await runCounter(folder, ['a']);
    expect(rerun.ran).toEqual([id]);
    expect(await counterResults(folder, [id])).toEqual(await counterResults(baselineFolder, [id]));
  });
});

/** A real 1 MiB tmpfs with these mount options (only where this process may mount, e.g. root). */
async function tmpfs(
  options: string,
): Promise<{ path: string; undo: () => Promise<void> } | undefined> {
  const { mkdir } = await import('node:fs/promises');
  const { execFileSync } = await import('node:child_process');
  const path = newFolder();
  await mkdir(path);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `${options},size=1m`, 'tmpfs', path], {
      stdio: 'ignore',
    });
  } catch {
    return undefined;
  }
  return {
    path,
    undo: async () => {
      execFileSync('umount', [path]);
    },
  };
}

describe('runStudy on a real full disk', () => {
  it('stops with DISK_FULL on a nearly full tmpfs, and completes as an uninterrupted run once space is freed', async (context) => {
    const disk = await tmpfs('rw');
    if (!disk) return context.skip();
    try {
      const { rm, statfs } = await import('node:fs/promises');
      const baselineFolder = newFolder();
      const baseline = await runCounter(baselineFolder);
      const ids = baseline.units.map((unit) => unit.id);
      const filler = join(disk.path, 'filler');
      const free = await statfs(disk.path);
      // Room for a few 4 KiB pages: the first unit's files fit only in part.
      await writeFile(filler, Buffer.alloc(free.bavail * free.bsize - 6 * 4096));
      const folder = join(disk.path, 'run');

      const error = await studyErrorOf(runCounter(folder));

      expect(error.code).toBe('DISK_FULL');
      expect(error.message).toContain(folder);
      const names = await readdir(folder, { recursive: true });
      expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
      await rm(filler);
      await runCounter(folder);
      expect(await counterResults(folder, ids)).toEqual(await counterResults(baselineFolder, ids));
    } finally {
      await disk.undo();
    }
  });
});

/** A read-only folder: chmod for a normal user; for root (whom chmod does not stop) a read-only tmpfs. */
async function readOnlyFolder(): Promise<{ path: string; undo: () => Promise<void> } | undefined> {
  if (process.getuid?.() === 0) return tmpfs('ro');
  const { chmod, mkdir } = await import('node:fs/promises');
  const path = newFolder();
  await mkdir(path);
  await chmod(path, 0o555);
  return { path, undo: () => chmod(path, 0o755) };
}

describe('runStudy on a read-only run folder', () => {
  it('stops with FOLDER_NOT_WRITABLE naming the folder, not a stack trace', async (context) => {
    const folder = await readOnlyFolder();
    if (!folder) return context.skip();
    try {
      const error = await studyErrorOf(runCounter(folder.path, ['a']));
      expect(error.code).toBe('FOLDER_NOT_WRITABLE');
      expect(error.message).toContain(join(folder.path, 'run.lock'));
      expect(error.message).toContain('--out');
    } finally {
      await folder.undo();
    }
  });

  it('turns an injected EACCES at the file-writing seam into FOLDER_NOT_WRITABLE', async () => {
    const folder = newFolder();
    diskFaults.code = 'EACCES';
    diskFaults.matches = (path) => path.endsWith('.tmp') && path.includes('manifest.json');
    const error = await studyErrorOf(runCounter(folder, ['a']));
    expect(error.code).toBe('FOLDER_NOT_WRITABLE');
    expect(error.message).toContain(join(folder, 'manifest.json'));
    expect(await readdir(folder)).not.toContain('run.lock');
  });
});
