import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProgressDisplay } from './progress-display.js';
import { type RunStudyOptions, runStudy } from './run-study.js';
import { StudyError } from './study-error.js';
import {
  counterKind,
  counterStudy,
  InlineExecutor,
  registerCounterKind,
} from './test-support/counter-kind.js';
import { clearDiskFaults, diskFaults } from './test-support/disk-faults.js';

vi.mock('node:fs/promises', async (original) =>
  (await import('./test-support/disk-faults.js')).withDiskFaults(await original()),
);

const quiet: ProgressDisplay = {
  unitStarted: () => undefined,
  progress: () => undefined,
  unitFinished: () => undefined,
  unitFailed: () => undefined,
  close: () => undefined,
};

let temp: { path: string; remove: () => Promise<void> };
let unregister: () => void;
let folders = 0;
beforeAll(async () => {
  temp = await makeTempDir('actlab-run-study-');
  unregister = registerCounterKind();
});
afterAll(async () => {
  unregister();
  await temp.remove();
});
afterEach(() => clearDiskFaults());

/** Runs the counter study `starts` into `runFolder`; returns the summary, the log and what ran. */
async function run(
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
    display: quiet,
    log: (line) => log.push(line),
    ...extra,
  });
  return { summary, log: log.join('\n'), ran: executor.ran, units };
}

const newFolder = () => join(temp.path, `run-${++folders}`);

/** Every file under `folder` (recursively) with its bytes and mtime. */
async function snapshot(folder: string): Promise<Map<string, { bytes: string; mtimeMs: number }>> {
  const files = new Map<string, { bytes: string; mtimeMs: number }>();
  for (const name of await readdir(folder, { recursive: true })) {
    const path = join(folder, name);
    const info = await stat(path);
    if (info.isFile()) {
      files.set(name, { bytes: (await readFile(path)).toString('base64'), mtimeMs: info.mtimeMs });
    }
  }
  return files;
}

async function results(runFolder: string, ids: string[]): Promise<unknown[]> {
  return Promise.all(
    ids.map(async (id) =>
      JSON.parse(await readFile(join(runFolder, 'trials', id, 'result.json'), 'utf8')),
    ),
  );
}

async function errorOf(action: Promise<unknown>): Promise<StudyError> {
  const error = await action.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!StudyError.isInstance(error)) throw new Error(`expected a StudyError, got ${String(error)}`);
  return error;
}

describe('runStudy on a damaged run folder', () => {
  it('verifies every finished unit, redoes only the one whose result.json was truncated, and leaves the others byte for byte', async () => {
    const folder = newFolder();
    const first = await run(folder);
    const [a, b, c] = first.units.map((unit) => unit.id) as [string, string, string];
    const baseline = await results(folder, [a, b, c]);
    const before = await snapshot(join(folder, 'trials'));
    await truncate(join(folder, 'trials', b, 'result.json'), 20);

    const second = await run(folder);

    expect(second.ran).toEqual([b]);
    expect(second.summary.redone).toEqual([b]);
    expect(second.summary.filesChecked).toBe(3 * 4);
    expect(second.log).toMatch(
      new RegExp(`damaged: start=b \\(trials/${b}\\): result.json has 20 bytes`),
    );
    const after = await snapshot(join(folder, 'trials'));
    for (const [name, file] of before) {
      if (!name.startsWith(b)) expect(after.get(name)).toEqual(file);
    }
    expect(await results(folder, [a, b, c])).toEqual(baseline);
    const [damaged] = await readdir(join(folder, 'damaged'));
    const kept = await readFile(
      join(folder, 'damaged', damaged as string, b, 'result.json'),
      'utf8',
    );
    expect(kept).toHaveLength(20);
  });

  it("redoes a finished unit whose checkpoint's bytes no longer match its checksum, same length", async () => {
    const folder = newFolder();
    const first = await run(folder);
    const c = first.units[2]?.id as string;
    const baseline = await results(folder, [c]);
    const path = join(folder, 'trials', c, 'checkpoint.json');
    const text = await readFile(path, 'utf8');
    const digit = text.search(/[0-9a-f]{64}/);
    const flipped = text[digit] === '0' ? '1' : '0';
    await writeFile(path, `${text.slice(0, digit)}${flipped}${text.slice(digit + 1)}`);

    const second = await run(folder);

    expect(second.ran).toEqual([c]);
    expect(second.log).toContain('checkpoint.json does not match its sha256');
    expect(await results(folder, [c])).toEqual(baseline);
  });

  it('starts an unfinished unit over when its checkpoint is truncated, keeping the damaged one', async () => {
    const folder = newFolder();
    const baselineFolder = newFolder();
    const { units } = await run(baselineFolder, ['a']);
    const id = units[0]?.id as string;
    diskFaults.code = 'ENOSPC';
    diskFaults.matches = (path) => path.includes(`${id}/.result.json`);
    await errorOf(run(folder, ['a']));
    clearDiskFaults();
    await truncate(join(folder, 'trials', id, 'checkpoint.json'), 10);

    const second = await run(folder, ['a']);

    expect(second.log).toContain('checkpoint.json is not readable JSON');
    expect(await results(folder, [id])).toEqual(await results(baselineFolder, [id]));
  });

  it('seals a finished unit that has no checksums yet (a folder from before seals) instead of redoing it', async () => {
    const folder = newFolder();
    const { units } = await run(folder, ['a']);
    const id = units[0]?.id as string;
    const { rm } = await import('node:fs/promises');
    await rm(join(folder, 'trials', id, 'checksums.json'));
    const second = await run(folder, ['a']);
    expect(second.ran).toEqual([]);
    const seal = JSON.parse(await readFile(join(folder, 'trials', id, 'checksums.json'), 'utf8'));
    expect(Object.keys(seal.files).sort()).toEqual([
      'chain.bin',
      'checkpoint.json',
      'result.json',
      'values.json',
    ]);
  });
});

describe('runStudy on a run folder of another study or format', () => {
  it('refuses a manifest of another study, naming the setting that differs, and --fresh keeps the old files', async () => {
    const folder = newFolder();
    await run(folder, ['a']);
    const { study, units } = await counterStudy(['a'], 4);
    const options = {
      kind: counterKind as never,
      study,
      units,
      runFolder: folder,
      job: { backend: 'cpu' },
      manifestOptions: { quick: false, backend: 'cpu' },
      display: quiet,
      log: () => undefined,
    };
    const error = await errorOf(runStudy({ ...options, executor: new InlineExecutor() }));
    expect(error.code).toBe('RUN_FOLDER_MISMATCH');
    expect(error.message).toContain('settings differ at steps');
    expect(error.message).toContain('--fresh');
    await expect(readdir(folder)).resolves.not.toContain('run.lock');

    const old = await readFile(join(folder, 'manifest.json'), 'utf8');
    await runStudy({ ...options, executor: new InlineExecutor(), fresh: true });
    const [replaced] = await readdir(join(folder, 'replaced'));
    expect(
      await readFile(join(folder, 'replaced', replaced as string, 'manifest.json'), 'utf8'),
    ).toBe(old);
    const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8'));
    expect(manifest.study.steps).toBe(4);
  });

  it('--fresh moves nothing out of a folder that is not a run folder (no manifest)', async () => {
    const { mkdir } = await import('node:fs/promises');
    const folder = newFolder();
    await mkdir(folder);
    await writeFile(join(folder, 'notes.txt'), 'mine');
    await run(folder, ['a'], { fresh: true });
    expect(await readFile(join(folder, 'notes.txt'), 'utf8')).toBe('mine');
    expect(await readdir(folder)).not.toContain('replaced');
  });

  it('refuses a manifest of another run-folder format and a damaged manifest', async () => {
    const folder = newFolder();
    await run(folder, ['a']);
    const path = join(folder, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...manifest, format: 2 }));
    const format = await errorOf(run(folder, ['a']));
    expect(format.code).toBe('RUN_FORMAT_UNSUPPORTED');
    expect(format.message).toContain('format 2');
    await writeFile(path, '{"kind": "coun');
    const damaged = await errorOf(run(folder, ['a']));
    expect(damaged.code).toBe('MANIFEST_DAMAGED');
    expect(damaged.message).toContain(path);
  });
});

describe('runStudy when the disk fills up', () => {
  it('stops with DISK_FULL naming the file, leaves no half file, and a rerun after freeing space ends as an uninterrupted run', async () => {
    const baselineFolder = newFolder();
    const baseline = await run(baselineFolder);
    const ids = baseline.units.map((unit) => unit.id);
    const folder = newFolder();
    const second = ids[1] as string;
    diskFaults.code = 'ENOSPC';
    diskFaults.matches = (path) => path.includes(`${second}/.checkpoint.json`);

    const error = await errorOf(run(folder));

    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toContain(join(folder, 'trials', second, 'checkpoint.json'));
    expect(error.message).toContain('free space');
    expect(diskFaults.injected).toBe(1);
    const names = await readdir(folder, { recursive: true });
    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(names).not.toContain(join('trials', second, 'result.json'));
    expect(names).not.toContain('run.lock');

    clearDiskFaults();
    const rerun = await run(folder);
    expect(rerun.ran).toEqual(ids.slice(1));
    expect(await results(folder, ids)).toEqual(await results(baselineFolder, ids));
  });

  it('never takes a unit whose result.json could not be written for a finished one', async () => {
    const baselineFolder = newFolder();
    const { units } = await run(baselineFolder, ['a']);
    const id = units[0]?.id as string;
    const folder = newFolder();
    diskFaults.code = 'EDQUOT';
    diskFaults.matches = (path) => path.includes(`${id}/.result.json`);
    const error = await errorOf(run(folder, ['a']));
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toContain('quota');
    expect(await readdir(join(folder, 'trials', id))).not.toContain('result.json');
    clearDiskFaults();
    const rerun = await run(folder, ['a']);
    expect(rerun.ran).toEqual([id]);
    expect(await results(folder, [id])).toEqual(await results(baselineFolder, [id]));
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
      const baseline = await run(baselineFolder);
      const ids = baseline.units.map((unit) => unit.id);
      const filler = join(disk.path, 'filler');
      const free = await statfs(disk.path);
      // Room for a few 4 KiB pages: the first unit's files fit only in part.
      await writeFile(filler, Buffer.alloc(free.bavail * free.bsize - 6 * 4096));
      const folder = join(disk.path, 'run');

      const error = await errorOf(run(folder));

      expect(error.code).toBe('DISK_FULL');
      expect(error.message).toContain(folder);
      const names = await readdir(folder, { recursive: true });
      expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
      await rm(filler);
      await run(folder);
      expect(await results(folder, ids)).toEqual(await results(baselineFolder, ids));
    } finally {
      await disk.undo();
    }
  });
});

describe('runStudy and the run-folder lock', () => {
  it('refuses a second run on a folder in use, and the first run ends untouched and unlocks', async () => {
    const folder = newFolder();
    const { study, units } = await counterStudy(['a']);
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((done) => {
      release = done;
    });
    const inner = new InlineExecutor();
    const slow = {
      run: async (...args: Parameters<InlineExecutor['run']>) => {
        await blocked;
        await inner.run(...args);
      },
      close: () => inner.close(),
    };
    const first = runStudy({
      kind: counterKind as never,
      study,
      units,
      runFolder: folder,
      executor: slow,
      job: { backend: 'cpu' },
      manifestOptions: { quick: false, backend: 'cpu' },
      display: quiet,
      log: () => undefined,
    });
    await vi.waitFor(async () => expect(await readdir(folder)).toContain('manifest.json'));
    const manifest = await readFile(join(folder, 'manifest.json'), 'utf8');

    const error = await errorOf(run(folder, ['a']));

    expect(error.code).toBe('RUN_FOLDER_IN_USE');
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(await readFile(join(folder, 'manifest.json'), 'utf8')).toBe(manifest);
    release();
    await expect(first).resolves.toMatchObject({ completed: 1 });
    expect(await readdir(folder)).not.toContain('run.lock');
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
      const error = await errorOf(run(folder.path, ['a']));
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
    const error = await errorOf(run(folder, ['a']));
    expect(error.code).toBe('FOLDER_NOT_WRITABLE');
    expect(error.message).toContain(join(folder, 'manifest.json'));
    expect(await readdir(folder)).not.toContain('run.lock');
  });
});
