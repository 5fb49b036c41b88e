import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@actlab/test-utils';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../../dist/cli.js');
const dataDir = process.env.ACTLAB_DATA_DIR;

describe.skipIf(!dataDir)('actlab run mask-detector --quick (real face-mask sets)', () => {
  it('trains the three models, writes the report and figures, and a rerun keeps the finished models', async () => {
    const folder = await makeTempDir('actlab-mask-study-');
    try {
      const args = [cli, 'run', 'mask-detector', '--quick', '--out', folder.path, '--plain'];
      const env = { ...process.env, ACTLAB_DATA_DIR: dataDir };
      const first = await run('node', args, { env });
      expect(first.stderr).toMatch(/both sets epoch 1: validation accuracy 0\.\d{4}/);
      const ids = ['both', 'voc-only', 'folders-only'];
      const results = await Promise.all(
        ids.map((id) => readFile(join(folder.path, 'trials', id, 'result.json'), 'utf8')),
      );
      const both = JSON.parse(results[0] as string);
      expect(both.evaluations.map((e: { set: string }) => e.set)).toEqual([
        'face-mask-voc validation',
        'face-mask validation',
      ]);
      expect(both.ownPredictions.indices.length).toBe(both.ownPredictions.predicted.length);
      const report = await readFile(join(folder.path, 'report.md'), 'utf8');
      expect(report).toMatch(/balanced/i);
      for (const figure of ['learning-curves.png', 'validation-crops.png', 'worst-mistakes.png']) {
        expect((await stat(join(folder.path, 'figures', figure))).size).toBeGreaterThan(1000);
      }

      const second = await run('node', args, { env });
      expect(second.stderr).not.toMatch(/epoch 1:/);
      expect(second.stderr.match(/finished in an earlier run, kept/g)).toHaveLength(3);
      const again = await Promise.all(
        ids.map((id) => readFile(join(folder.path, 'trials', id, 'result.json'), 'utf8')),
      );
      expect(again).toEqual(results);
      const undated = (text: string) => text.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'DATE');
      expect(undated(await readFile(join(folder.path, 'report.md'), 'utf8'))).toBe(undated(report));
    } finally {
      await folder.remove();
    }
  }, 120_000);
});
