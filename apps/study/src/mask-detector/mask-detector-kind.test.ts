import { describe, expect, it } from 'vitest';
import { unitId } from '../engine/unit-id.js';
import { maskDetectorKind } from './mask-detector-kind.js';
import { maskStudySchema } from './mask-study-schema.js';

const study = maskStudySchema.parse({ kind: 'mask-detector', name: 'm', title: 'M', seed: 4 });

describe('the mask-detector kind', () => {
  it('plans every model once per seed; a seed seeds the model, never the split', async () => {
    const units = await maskDetectorKind.plan(study, { quick: true, seeds: 3 });
    expect(units.map((unit) => unit.label)).toEqual(
      [4, 5, 6].flatMap((seed) =>
        ['both sets', 'face-mask-voc', 'face-mask'].map((model) => `${model}, seed ${seed}`),
      ),
    );
    expect(units.map((unit) => unit.settings.modelSeed ?? unit.settings.seed)).toEqual([
      4, 4, 4, 5, 5, 5, 6, 6, 6,
    ]);
    expect(new Set(units.map((unit) => unit.settings.seed))).toEqual(new Set([4]));
  });

  it('keeps the units of a one-seed run (same settings, so same ids)', async () => {
    const one = await maskDetectorKind.plan(study, { quick: true });
    const three = await maskDetectorKind.plan(study, { quick: true, seeds: 3 });
    expect(one.map((unit) => unit.label)).toEqual(['both sets', 'face-mask-voc', 'face-mask']);
    expect(three.slice(0, 3).map((unit) => unitId(unit.settings))).toEqual(
      one.map((unit) => unitId(unit.settings)),
    );
  });
});
