// The committed results are complete and every number shown is read from them: every preset is
// published (every grid point, ≥ 3 seeds, the preset as it is now) or pending with a reason, every
// gap beyond noise is explained, and the README block and the Results pages are what the result
// files give. Reads only committed files; runs no study.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listPresets, loadStudy, minimumSeeds, studiesWithoutPreset } from '@actlab/study';
import { describe, expect, it } from 'vitest';
import {
  comparisonTable,
  missingExplanations,
  quickPage,
  readmeBlock,
  readmeMarkers,
  readResults,
  replaceReadmeBlock,
  resultsPage,
  staleExplanations,
} from '../scripts/results-pages.mjs';

const docsDir = resolve(import.meta.dirname, '..');
const resultsDir = join(docsDir, 'results');
const committed = readResults(resultsDir);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('committed results', () => {
  it('publish or list as pending, with a reason, every preset and every study without one', async () => {
    const studies = [...(await listPresets()), ...studiesWithoutPreset.map((study) => study.study)];
    const published = committed.published.map((entry) => entry.preset);
    const pending = committed.pending.map((entry) => entry.study);
    for (const study of studies) {
      expect(
        [published.includes(study), pending.includes(study)].filter(Boolean),
        `${study}: published or pending, exactly one`,
      ).toEqual([true]);
    }
    for (const entry of committed.pending) {
      expect(studies, `pending.yaml names ${entry.study}, no known study`).toContain(entry.study);
      expect(entry.reason?.trim().length ?? 0, `${entry.study} needs a reason`).toBeGreaterThan(20);
    }
  });

  it('hold every grid point of the preset as it is now, each with at least 3 seeds', async () => {
    for (const { preset, publication } of committed.published) {
      if (publication.kind !== 'grid') continue;
      const manifest = JSON.parse(readFileSync(join(resultsDir, preset, 'manifest.json'), 'utf8'));
      const { study } = await loadStudy(preset);
      expect(canonical(manifest.study), `${preset}: published from the current preset`).toBe(
        canonical(study),
      );
      expect(manifest.options.quick, `${preset} is full size`).toBe(false);
      const points = new Set(
        manifest.trials.map(({ axes }: { axes: Record<string, unknown> }) => {
          const { seed: _seed, ...point } = axes;
          return canonical(point);
        }),
      );
      expect(publication.points.length, `${preset}: every grid point`).toBe(points.size);
      expect(publication.run.units).toBe(manifest.trials.length);
      expect(publication.points.reduce((sum, point) => sum + point.seeds, 0)).toBe(
        manifest.trials.length,
      );
      for (const point of publication.points) {
        expect(point.seeds, `${preset} ${point.label}`).toBeGreaterThanOrEqual(minimumSeeds);
      }
    }
  });

  it('hold every source set, method and source of an adversarial preset as it is now, each with at least 3 seeds', async () => {
    for (const { preset, publication } of committed.published) {
      if (publication.kind !== 'adversarial') continue;
      const { kind, study } = await loadStudy(preset);
      const variants = kind.variants?.(study) ?? [];
      expect(publication.sourceSets.map((set) => set.name)).toEqual([
        'default',
        ...variants.map((variant) => variant.name),
      ]);
      const attack = study as unknown as {
        sourceDigits: number[];
        methods: { id: string }[];
        targets: number[];
      };
      for (const set of publication.sourceSets) {
        const manifest = JSON.parse(
          readFileSync(join(resultsDir, preset, set.folder, 'manifest.json'), 'utf8'),
        );
        expect(canonical(manifest.study), `${preset}/${set.name}: the current preset`).toBe(
          canonical(study),
        );
        expect(manifest.options.quick, `${preset}/${set.name} is full size`).toBe(false);
        expect(set.units).toBe(manifest.trials.length);
        const variant = variants.find((candidate) => candidate.name === set.name);
        if (variant) expect(set.sources.map((source) => source.index)).toEqual(variant.sources);
        else expect(set.sources.map((source) => source.label)).toEqual(attack.sourceDigits);
        expect(set.targets).toEqual(attack.targets);
        expect(set.methods.map((method) => method.id)).toEqual(
          attack.methods.map((method) => method.id),
        );
        for (const method of set.methods) {
          expect(method.seeds, `${preset}/${set.name} ${method.id}`).toBeGreaterThanOrEqual(
            minimumSeeds,
          );
        }
        // Every seed has the same units: each method on each source (the amortised one at once).
        const unitsPerSeed = new Map<number, number>();
        for (const { axes } of manifest.trials as { axes: { seed: number } }[]) {
          unitsPerSeed.set(axes.seed, (unitsPerSeed.get(axes.seed) ?? 0) + 1);
        }
        expect(unitsPerSeed.size).toBeGreaterThanOrEqual(minimumSeeds);
        expect(new Set(unitsPerSeed.values()).size).toBe(1);
      }
    }
  });

  it('hold every model of a mask-detector preset as it is now, each with at least 3 seeds', async () => {
    for (const { preset, publication } of committed.published) {
      if (publication.kind !== 'mask-detector') continue;
      const manifest = JSON.parse(readFileSync(join(resultsDir, preset, 'manifest.json'), 'utf8'));
      const { kind, study } = await loadStudy(preset);
      expect(canonical(manifest.study), `${preset}: published from the current preset`).toBe(
        canonical(study),
      );
      expect(manifest.options.quick, `${preset} is full size`).toBe(false);
      const models = (await kind.plan(study, { quick: false })).map((unit) => unit.axes.trainedOn);
      expect(publication.models.map((model) => model.label)).toEqual(models);
      expect(publication.run.units).toBe(manifest.trials.length);
      expect(publication.models.reduce((sum, model) => sum + model.seeds, 0)).toBe(
        manifest.trials.length,
      );
      for (const model of publication.models) {
        expect(model.seeds, `${preset} ${model.label}`).toBeGreaterThanOrEqual(minimumSeeds);
      }
      expect(publication.points.length, `${preset}: ours beside the seed's bar`).toBeGreaterThan(0);
    }
  });

  it('explain every gap beyond noise, and nothing that is no gap', () => {
    expect(missingExplanations(committed.published, committed.explanations)).toEqual([]);
    expect(staleExplanations(committed.published, committed.explanations)).toEqual([]);
  });

  it('give the README Results block byte for byte', () => {
    const readme = readFileSync(join(docsDir, '../../README.md'), 'utf8');
    expect(readme).toContain(readmeMarkers.start);
    expect(replaceReadmeBlock(readme, readmeBlock(committed))).toBe(readme);
  });

  it('give every number of the Results pages and the README block', () => {
    for (const entry of committed.published) {
      const sources = [
        JSON.stringify(entry.publication),
        JSON.stringify(committed.explanations[entry.preset] ?? {}),
      ].join('\n');
      const page = resultsPage(entry, committed.explanations);
      const generated = page.slice(0, page.indexOf('## The full report'));
      const block = readmeBlock({ published: [entry], pending: [] });
      for (const number of `${generated}\n${block}`.match(/\d+(?:\.\d+)?/g) ?? []) {
        expect(sources, `${entry.preset}: ${number} is not in the result files`).toContain(number);
      }
      expect(page).toContain(
        entry.report
          .replace(/^# .*\n/, '')
          .slice(0, 200)
          .trim(),
      );
    }
  });

  it('keep the quick profiles, labelled as quick profiles', () => {
    expect(committed.quick.map((entry) => entry.preset)).toContain('depth-activation');
    for (const entry of committed.quick) expect(quickPage(entry)).toMatch(/^# Quick profile: /);
  });
});

describe('the completeness check', () => {
  const publication = {
    points: [
      { label: 'activation=relu', gap: true },
      { label: 'activation=tanh', gap: false },
    ],
  };
  const published = [{ preset: 'tiny', publication, report: '' }] as unknown as Parameters<
    typeof missingExplanations
  >[0];

  it('names a gap beyond noise that has no explanation', () => {
    expect(missingExplanations(published, {})).toEqual(['tiny: activation=relu']);
    expect(missingExplanations(published, { tiny: { 'activation=relu': 'why' } })).toEqual([]);
  });

  it('names an explanation of a point that is no gap', () => {
    expect(staleExplanations(published, { tiny: { 'activation=tanh': 'why' } })).toEqual([
      'tiny: activation=tanh',
    ]);
  });
});

describe('the comparison table', () => {
  const stat = (text: string) => ({ text });
  const publication = {
    reference: { metric: 'validationAccuracy' },
    points: [
      {
        axes: { case: 'linear' },
        seeds: 3,
        testAccuracy: stat('0.9206'),
        validationAccuracy: stat('0.9203'),
        ours: stat('0.9203'),
        reference: 0.98,
        gap: true,
      },
      {
        axes: { case: 'relu' },
        seeds: 3,
        testAccuracy: stat('0.9776'),
        validationAccuracy: stat('0.9756'),
        ours: null,
        reference: null,
        gap: false,
      },
    ],
  } as unknown as Parameters<typeof comparisonTable>[0];

  it('shows the metric the reference names on every row, also rows the seed gave no number for', () => {
    const rendered = comparisonTable(publication);
    expect(rendered).toContain('ours: validation accuracy');
    expect(rendered).toContain('0.9756');
    expect(rendered).not.toContain('0.9776');
  });
});

describe('the attack tables', () => {
  const stat = (text: string) => ({ text });
  const method = (label: string, trainSeconds: { text: string } | null) => ({
    label,
    seeds: 3,
    attackedSuccessRate: stat('0.978 ± 0.019'),
    successRate: stat('0.980 ± 0.017'),
    meanL0: stat('784 ± 0'),
    meanL2: stat('9.53 ± 0.12'),
    meanLinf: stat('0.531 ± 0.010'),
    meanConfidence: stat('0.915 ± 0.002'),
    millisecondsPerExample: stat('776 ± 40'),
    trainSeconds,
  });
  const publication = {
    kind: 'adversarial',
    sourceSets: [
      {
        name: 'notebook',
        sources: [{ index: 102, label: 7 }],
        targets: [3, 8],
        pairs: 2,
        attackedPairs: 2,
        methods: [method('generator', null), method('amortised', stat('176 ± 3'))],
      },
    ],
  } as unknown as Parameters<typeof comparisonTable>[0];

  it('gives a table per source set with every number as the publication writes it', () => {
    const rendered = comparisonTable(publication);
    expect(rendered).toContain(
      '**Source set `notebook`**: test images 102 (digit 7); targets 3, 8.',
    );
    expect(rendered).toContain('| generator | 3     | 0.978 ± 0.019');
    expect(rendered).toContain('776 ± 40 (+ 176 ± 3 s training once)');
    expect(rendered).not.toMatch(/undefined|NaN/);
  });
});

describe('the mask tables', () => {
  const stat = (text: string) => ({ text, mean: 0.95 });
  const evaluation = (set: string) => ({
    set,
    samples: 365,
    accuracy: stat('0.9507 ± 0.0040'),
    balancedAccuracy: stat('0.9493 ± 0.0050'),
    perClass: ['with_mask', 'no_mask'].map((label) => ({
      label,
      support: 100,
      precision: stat('0.990 ± 0.003'),
      recall: stat('0.951 ± 0.010'),
      f1: stat('0.970 ± 0.004'),
    })),
  });
  const publication = {
    kind: 'mask-detector',
    reference: { metric: 'accuracy', set: 'face-mask-voc validation', value: 0.97 },
    models: [
      {
        label: 'both sets',
        seeds: 3,
        epochs: stat('12.0 ± 0.0'),
        stoppedBy: { maxEpochs: 3 },
        ownValidationAccuracy: stat('0.9554 ± 0.0030'),
        evaluations: [evaluation('face-mask-voc validation'), evaluation('face-mask validation')],
      },
    ],
    points: [
      {
        label: 'both sets, face-mask-voc validation',
        ours: stat('0.9507 ± 0.0040'),
        reference: 0.97,
        gap: false,
      },
    ],
  } as unknown as Parameters<typeof comparisonTable>[0];

  it('gives every model on every set, its training and ours beside the seed’s bar', () => {
    const rendered = comparisonTable(publication);
    expect(rendered).toContain(
      '| both sets  | face-mask-voc validation | 365     | 3     | 0.9507 ± 0.0040 | 0.9493 ± 0.0050   | 0.990 ± 0.003 / 0.951 ± 0.010 / 0.970 ± 0.004 |',
    );
    expect(rendered).toContain('maxEpochs: 3');
    expect(rendered).toMatch(/\| both sets +\| 0\.9507 ± 0\.0040 +\| > 0\.97 +\| no +\|/);
    expect(rendered).not.toMatch(/undefined|NaN/);
  });
});
