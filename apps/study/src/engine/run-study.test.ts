import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runStudy } from './run-study.js';
import {
  counterKind,
  counterStudy,
  InlineExecutor,
  registerCounterKind,
} from './test-support/counter-kind.js';
import { clearDiskFaults, diskFaults } from './test-support/disk-faults.js';
import {
  counterResults,
  quietDisplay,
  runCounter,
  studyErrorOf,
} from './test-support/run-counter.js';

vi.mock('node:fs/promises', async (original) =>
  (await import('./test-support/disk-faults.js')).withDiskFaults(await original()),
);

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

describe('runStudy on a damaged run folder', () => {
  it('verifies every finished unit, redoes only the one whose result.json was truncated, and leaves the others byte for byte', async () => {
    const folder = newFolder();
    const first = await runCounter(folder);
    const [a, b, c] = first.units.map((unit) => unit.id) as [string, string, string];
    const baseline = await counterResults(folder, [a, b, c]);
    const before = await snapshot(join(folder, 'trials'));
    await truncate(join(folder, 'trials', b, 'result.json'), 20);

    const second = await runCounter(folder);

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
    expect(await counterResults(folder, [a, b, c])).toEqual(baseline);
    const [damaged] = await readdir(join(folder, 'damaged'));
    const kept = await readFile(
      join(folder, 'damaged', damaged as string, b, 'result.json'),
      'utf8',
    );
    expect(kept).toHaveLength(20);
  });

  it("redoes a finished unit whose checkpoint's bytes no longer match its checksum, same length", async () => {
    const folder = newFolder();
    const first = await runCounter(folder);
    const c = first.units[2]?.id as string;
    const baseline = await counterResults(folder, [c]);
    const path = join(folder, 'trials', c, 'checkpoint.json');
    const text = await readFile(path, 'utf8');
    const digit = text.search(/[0-9a-f]{64}/);
    const flipped = text[digit] === '0' ? '1' : '0';
    await writeFile(path, `${text.slice(0, digit)}${flipped}${text.slice(digit + 1)}`);

    const second = await runCounter(folder);

    expect(second.ran).toEqual([c]);
    expect(second.log).toContain('checkpoint.json does not match its sha256');
    expect(await counterResults(folder, [c])).toEqual(baseline);
  });

  it('starts an unfinished unit over when its checkpoint is truncated, keeping the damaged one', async () => {
    const folder = newFolder();
    const baselineFolder = newFolder();
    const { units } = await runCounter(baselineFolder, ['a']);
    const id = units[0]?.id as string;
    diskFaults.code = 'ENOSPC';
    diskFaults.matches = (path) => path.includes(`${id}/.result.json`);
    await studyErrorOf(runCounter(folder, ['a']));
    clearDiskFaults();
    await truncate(join(folder, 'trials', id, 'checkpoint.json'), 10);

    const second = await runCounter(folder, ['a']);

    expect(second.log).toContain('checkpoint.json is not readable JSON');
    expect(await counterResults(folder, [id])).toEqual(await counterResults(baselineFolder, [id]));
  });

  it('seals a finished unit that has no checksums yet (a folder from before seals) instead of redoing it', async () => {
    const folder = newFolder();
    const { units } = await runCounter(folder, ['a']);
    const id = units[0]?.id as string;
    const { rm } = await import('node:fs/promises');
    await rm(join(folder, 'trials', id, 'checksums.json'));
    const second = await runCounter(folder, ['a']);
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
    await runCounter(folder, ['a']);
    const { study, units } = await counterStudy(['a'], 4);
    const options = {
      kind: counterKind as never,
      study,
      units,
      runFolder: folder,
      job: { backend: 'cpu' },
      manifestOptions: { quick: false, backend: 'cpu' },
      display: quietDisplay,
      log: () => undefined,
    };
    const error = await studyErrorOf(runStudy({ ...options, executor: new InlineExecutor() }));
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
    await runCounter(folder, ['a'], { fresh: true });
    expect(await readFile(join(folder, 'notes.txt'), 'utf8')).toBe('mine');
    expect(await readdir(folder)).not.toContain('replaced');
  });

  it('refuses a manifest of another run-folder format and a damaged manifest', async () => {
    const folder = newFolder();
    await runCounter(folder, ['a']);
    const path = join(folder, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...manifest, format: 2 }));
    const format = await studyErrorOf(runCounter(folder, ['a']));
    expect(format.code).toBe('RUN_FORMAT_UNSUPPORTED');
    expect(format.message).toContain('format 2');
    await writeFile(path, '{"kind": "coun');
    const damaged = await studyErrorOf(runCounter(folder, ['a']));
    expect(damaged.code).toBe('MANIFEST_DAMAGED');
    expect(damaged.message).toContain(path);
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
      display: quietDisplay,
      log: () => undefined,
    });
    await vi.waitFor(async () => expect(await readdir(folder)).toContain('manifest.json'));
    const manifest = await readFile(join(folder, 'manifest.json'), 'utf8');

    const error = await studyErrorOf(runCounter(folder, ['a']));

    expect(error.code).toBe('RUN_FOLDER_IN_USE');
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(await readFile(join(folder, 'manifest.json'), 'utf8')).toBe(manifest);
    release();
    await expect(first).resolves.toMatchObject({ completed: 1 });
    expect(await readdir(folder)).not.toContain('run.lock');
  });
});
