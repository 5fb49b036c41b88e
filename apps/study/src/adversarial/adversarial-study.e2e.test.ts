import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@actlab/test-utils';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RunManifest } from '../engine/study-kind.js';
import type { MethodOverSeeds } from './adversarial-summary.js';
import type { PairResult } from './attack-unit.js';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../../dist/cli.js');
const dataDir = process.env.ACTLAB_DATA_DIR;

describe.skipIf(!dataDir)('actlab run adversarial-mnist --quick', () => {
  it('attacks the shipped CNN, draws one grid per source, reports what it measured, and resumes', async () => {
    const folder = await makeTempDir('actlab-adversarial-');
    try {
      const out = join(folder.path, 'run');
      const args = [
        cli,
        'run',
        'adversarial-mnist',
        '--quick',
        '--sources',
        '102,88,64',
        '--out',
        out,
        '--data-dir',
        dataDir as string,
      ];
      await run('node', args, { maxBuffer: 1 << 26 });
      const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as {
        options: { sources: number[]; targets: number[] };
        summary: MethodOverSeeds[];
        pairs: Omit<PairResult, 'pixels'>[];
      };
      // --sources wins over the default digits; the quick profile keeps the first two.
      expect(results.options.sources).toEqual([102, 88]);
      const pairCount = 2 * results.options.targets.length;
      expect(results.summary.map((row) => row.id)).toEqual([
        'generator',
        'generator-stagewise',
        'generator-two-layers',
        'fgsm',
        'pgd-linf',
        'pgd-l2',
        'amortised',
      ]);
      const report = await readFile(join(out, 'report.md'), 'utf8');
      for (const row of results.summary) {
        expect(row.pairs).toBe(pairCount);
        expect(row.seeds).toEqual([0]);
        expect(report).toContain(`| ${row.label} |`);
        expect(report).toContain(`| ${row.successRate.mean.toFixed(3)} |`);
      }
      for (const pair of results.pairs) {
        expect(pair.success).toBe(pair.predictedClass === pair.target);
        if (pair.method === 'pgd-linf' || pair.method === 'fgsm') {
          expect(pair.linf).toBeLessThanOrEqual(0.3 + 1e-4);
        }
      }
      // PGD L∞ reaches most targets even with the quick profile's 20 steps.
      const pgd = results.summary.find((row) => row.id === 'pgd-linf') as MethodOverSeeds;
      expect(pgd.successRate.mean).toBeGreaterThanOrEqual(0.5);
      for (const source of [102, 88]) {
        expect(report).toContain(`figures/grid-${source}.png`);
        const meta = await sharp(join(out, 'figures', `grid-${source}.png`)).metadata();
        // The original plus one tile per target, 28 × 4 px each with 8 px gaps.
        expect(meta.width).toBe(8 + (1 + results.options.targets.length) * (112 + 8));
      }
      // A second run finds every unit finished and attacks nothing again.
      const manifest: RunManifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
      const resultFiles = manifest.trials.map(({ id }) => join(out, 'trials', id, 'result.json'));
      const before = await Promise.all(resultFiles.map(async (file) => (await stat(file)).mtimeMs));
      const { stderr } = await run('node', args, { maxBuffer: 1 << 26 });
      expect(stderr).toContain(`${resultFiles.length} already finished`);
      expect(stderr).not.toMatch(/→ \d+: predicted/);
      const after = await Promise.all(resultFiles.map(async (file) => (await stat(file)).mtimeMs));
      expect(after).toEqual(before);
    } finally {
      await folder.remove();
    }
  }, 120_000);
});
