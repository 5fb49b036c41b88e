import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFileAtomically, writeJsonAtomic } from './atomic-files.js';
import { clearDiskFaults, diskFaults } from './test-support/disk-faults.js';
import { studyErrorOf } from './test-support/run-counter.js';

vi.mock('node:fs/promises', async (original) =>
  (await import('./test-support/disk-faults.js')).withDiskFaults(await original()),
);

let temp: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  temp = await makeTempDir('actlab-atomic-');
});
afterAll(() => temp.remove());
afterEach(() => clearDiskFaults());

describe('writeFileAtomically', () => {
  it('writes the bytes and leaves no temp file', async () => {
    const path = join(temp.path, 'plain.bin');
    await writeFileAtomically(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    expect((await readdir(temp.path)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('turns ENOSPC mid-write into DISK_FULL naming the file, and leaves neither a half file nor its temp file', async () => {
    const path = join(temp.path, 'new-result.json');
    diskFaults.code = 'ENOSPC';
    const error = await studyErrorOf(
      writeJsonAtomic(path, { values: Array.from({ length: 100 }, (_, i) => i) }),
    );
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toContain(path);
    expect(error.message).toContain('free space');
    expect(error.message).toContain('run the same command again');
    expect(diskFaults.injected).toBe(1);
    const names = await readdir(temp.path);
    expect(names).not.toContain('new-result.json');
    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps the previous complete version of a file when rewriting it finds the disk full', async () => {
    const path = join(temp.path, 'checkpoint.json');
    await writeJsonAtomic(path, { step: 1 });
    diskFaults.code = 'EDQUOT';
    const error = await studyErrorOf(writeJsonAtomic(path, { step: 2, padding: 'x'.repeat(1000) }));
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toContain('quota');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ step: 1 });
  });

  it('turns EACCES into FOLDER_NOT_WRITABLE naming the file', async () => {
    const path = join(temp.path, 'manifest.json');
    diskFaults.code = 'EACCES';
    const error = await studyErrorOf(writeFileAtomically(path, 'x'));
    expect(error.code).toBe('FOLDER_NOT_WRITABLE');
    expect(error.message).toContain(path);
  });
});
