import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interactiveSpec } from '../charts/interactive-spec.js';
import type { TrialResult } from '../run/trial-records.js';
import { expandTrials } from '../study/expand-trials.js';
import { parseStudy } from '../study/load-study.js';
import type { Study } from '../study/study-schema.js';
import type { RunManifest } from './study-kind.js';
import { writeReport } from './write-report.js';

const epochs = 3;

/** A finished grid run made by hand: two trials (one activation with a comma in its JSON). */
async function makeGridRun(folder: string) {
  const { study } = parseStudy({
    name: 'tiny',
    title: 'Tiny',
    description: 'Two activations.',
    base: { dataset: 'mnist', trainSize: 100, testSize: 100, depth: 2, width: 4, epochs },
    grid: { activation: ['relu', { name: 'leakyRelu', alpha: 0.1 }] },
    report: { figures: [{ kind: 'accuracy-curves', color: 'activation' }] },
  });
  const trials = expandTrials(study as Study);
  const manifest: RunManifest = {
    kind: 'grid',
    study,
    trials: trials.map(({ id, label, axes }) => ({ id, label, axes, steps: epochs })),
    options: { quick: false, backend: 'cpu', seeds: 1 },
    machine: { cpu: 'test cpu', cores: 2, memoryGiB: 4, platform: 'linux', node: 'v20' },
    createdAt: '2026-12-05T00:00:00.000Z',
    updatedAt: '2026-12-05T00:00:00.000Z',
  };
  await writeFile(join(folder, 'manifest.json'), JSON.stringify(manifest));
  for (const [index, { id, label, settings }] of trials.entries()) {
    const result: TrialResult = {
      id,
      label,
      settings,
      status: 'completed',
      divergedAtEpoch: null,
      epochs: Array.from({ length: epochs }, (_, epoch) => ({
        epoch: epoch + 1,
        trainLoss: 1 / (epoch + 1),
        trainAccuracy: 0.5 + epoch / 10,
        validationLoss: null,
        validationAccuracy: null,
        testLoss: 1.1 / (epoch + 1),
        testAccuracy: 0.4 + epoch / 10 + index / 100,
        trainSeconds: 0.1,
        wallSeconds: 0.2,
      })),
      finalTestAccuracy: 0.6 + index / 100,
      backend: 'cpu',
      trainer: 'tfjs',
      trainSeconds: 0.3,
      resumed: false,
    };
    await mkdir(join(folder, 'trials', id), { recursive: true });
    await writeFile(join(folder, 'trials', id, 'result.json'), JSON.stringify(result));
  }
  return trials;
}

describe('writeReport', () => {
  let folder: { path: string; remove: () => Promise<void> };
  let trials: Awaited<ReturnType<typeof makeGridRun>>;
  beforeAll(async () => {
    folder = await makeTempDir('actlab-report-');
    trials = await makeGridRun(folder.path);
    await writeReport(folder.path);
  }, 120_000);
  afterAll(() => folder?.remove());

  it('writes metrics.csv with a row per trial × epoch: trial, every setting, then the metrics', async () => {
    const text = await readFile(join(folder.path, 'metrics.csv'), 'utf8');
    const [header, ...rows] = parse(text) as string[][];
    const settings = Object.keys(trials[0]?.settings ?? {});
    expect(header).toEqual([
      'trial',
      ...settings,
      'status',
      'epoch',
      'trainLoss',
      'trainAccuracy',
      'validationLoss',
      'validationAccuracy',
      'testLoss',
      'testAccuracy',
      'trainSeconds',
      'wallSeconds',
    ]);
    expect(rows).toHaveLength(trials.length * epochs);
    const records = parse(text, { columns: true }) as Record<string, string>[];
    const leaky = trials.find((trial) => typeof trial.settings.activation === 'object');
    const leakyRows = records.filter((record) => record.trial === leaky?.id);
    expect(leakyRows.map((record) => record.epoch)).toEqual(['1', '2', '3']);
    // A JSON setting with commas and quotes comes back whole.
    expect(JSON.parse(leakyRows[0]?.activation ?? '')).toEqual(leaky?.settings.activation);
    expect(leakyRows[0]?.validationLoss).toBe('');
    expect(Number(leakyRows[2]?.testAccuracy)).toBeCloseTo(0.61, 12);
  });

  it('embeds vega, vega-lite and vega-embed, and an interactive spec per chart figure', async () => {
    const html = await readFile(join(folder.path, 'report.html'), 'utf8');
    expect(html).toContain('vegaEmbed(');
    expect(html).not.toMatch(/<script[^>]+src=/);
    const specs = [
      ...html.matchAll(
        /<script type="application\/json" class="vega-spec" data-figure="([^"]+)">(.*?)<\/script>/g,
      ),
    ];
    const charts = (await readdir(join(folder.path, 'figures')))
      .filter((file) => file.endsWith('.vl.json'))
      .map((file) => file.replace('.vl.json', ''));
    expect(charts).toHaveLength(1);
    expect(specs.map(([, name]) => name)).toEqual(charts);
    const [, name, json] = specs[0] as RegExpMatchArray;
    const saved = JSON.parse(
      await readFile(join(folder.path, 'figures', `${name}.vl.json`), 'utf8'),
    );
    expect(JSON.parse(json as string)).toEqual(interactiveSpec(saved));
    // The static SVG stays in the page until the live chart has drawn.
    expect(html).toContain(`<div class="chart" data-figure="${name}"><svg`);
  });

  it('writes the same bytes again from the same run folder', async () => {
    const files = ['report.html', 'report.md', 'metrics.csv'];
    const before = await Promise.all(files.map((file) => readFile(join(folder.path, file))));
    await writeReport(folder.path);
    const after = await Promise.all(files.map((file) => readFile(join(folder.path, file))));
    expect(after).toEqual(before);
  }, 120_000);
});
