import { execFile } from 'node:child_process';
import { access, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@actlab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunManifest } from './engine/study-kind.js';
import { formatMeanSd, meanSd } from './report/summarize.js';
import type { TrialResult } from './run/trial-records.js';
import { listPresets, readPresetText } from './study/load-study.js';
import type { Study } from './study/study-schema.js';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../dist/cli.js');
const dataDir = process.env.ACTLAB_DATA_DIR;
// Grid presets only: the other kinds have their own e2e tests (kinds.e2e.test.ts and beside them).
const presets: string[] = [];
for (const name of await listPresets()) {
  if (!/^kind: /m.test(await readPresetText(name))) presets.push(name);
}

describe.skipIf(!dataDir)('every preset in its smallest form (--quick --epochs 1)', () => {
  let folder: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    folder = await makeTempDir('actlab-presets-');
  });
  afterAll(async () => {
    await folder?.remove();
  });

  it.each(presets)(
    '%s runs and its report holds the numbers it measured',
    async (preset) => {
      const out = join(folder.path, preset);
      await run(
        'node',
        [
          cli,
          'run',
          preset,
          '--quick',
          '--epochs',
          '1',
          '--workers',
          '2',
          '--plain',
          '--out',
          out,
          '--data-dir',
          dataDir as string,
        ],
        {
          maxBuffer: 1 << 26,
        },
      );
      const manifest: RunManifest<Study> = JSON.parse(
        await readFile(join(out, 'manifest.json'), 'utf8'),
      );
      const report = await readFile(join(out, 'report.md'), 'utf8');
      await access(join(out, 'report.html'));
      const results: TrialResult[] = await Promise.all(
        manifest.trials.map(async ({ id }) =>
          JSON.parse(await readFile(join(out, 'trials', id, 'result.json'), 'utf8')),
        ),
      );
      expect(results.every((result) => result.epochs.length === 1)).toBe(true);
      for (const result of results) {
        expect(report).toContain(formatMeanSd(meanSd([result.finalTestAccuracy])));
      }
      // Every figure the study asks for is drawn at least once, with its spec kept beside it.
      const drawn = (await readdir(join(out, 'figures'))).filter((name) =>
        name.endsWith('.vl.json'),
      );
      expect(drawn.length).toBeGreaterThanOrEqual(manifest.study.report.figures.length);
      for (const name of drawn)
        expect(report).toContain(`figures/${name.replace('.vl.json', '.png')}`);
    },
    300_000,
  );
});
