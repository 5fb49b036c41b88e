import { describe, expect, it } from 'vitest';
import { machineInfo } from '../engine/machine-info.js';
import type { RunManifest } from '../engine/study-kind.js';
import { buildMaskPublication } from './mask-publication.js';
import { type MaskStudy, maskStudySchema } from './mask-study-schema.js';
import type { MaskUnitResult } from './mask-unit.js';

const study = maskStudySchema.parse({ kind: 'mask-detector', name: 'm', title: 'M' });

/** A model's result on the VOC validation crops (accuracy `voc`) and the other set. */
function result(trainedOn: string, voc: number, epochs: number): MaskUnitResult {
  const metrics = (accuracy: number) => ({
    samples: 100,
    accuracy,
    balancedAccuracy: accuracy - 0.01,
    perClass: ['with_mask', 'no_mask'].map((label) => ({
      label,
      precision: accuracy,
      recall: accuracy,
      f1: accuracy,
      support: 50,
    })),
    confusion: [],
  });
  return {
    trainedOn,
    epochs: Array.from({ length: epochs }, () => ({})),
    stoppedBy: epochs < 12 ? 'target' : 'maxEpochs',
    finalTestAccuracy: voc,
    evaluations: [
      { set: 'face-mask-voc validation', metrics: metrics(voc) },
      { set: 'face-mask (all, unseen set)', metrics: metrics(0.7) },
    ],
    backend: 'wasm',
  } as unknown as MaskUnitResult;
}

describe('buildMaskPublication', () => {
  const results = [0, 1, 2].flatMap((seed) => [
    { axes: { trainedOn: 'both sets', seed }, result: result('both', 0.95 + seed / 100, 12) },
    { axes: { trainedOn: 'face-mask-voc', seed }, result: result('face-mask-voc', 0.9, 12 - seed) },
  ]);
  const manifest = {
    study,
    machine: machineInfo(),
    createdAt: '2026-12-06T04:00:00.000Z',
    updatedAt: '2026-12-06T05:00:00.000Z',
  } as unknown as RunManifest<MaskStudy>;
  const publication = buildMaskPublication(manifest, results, {
    commit: 'abc',
    dirty: false,
    recordedBy: 'reproduce',
  });

  it('gives every number of the validation table per model as mean ± sd over seeds', () => {
    expect(publication.models.map((model) => [model.label, model.seeds])).toEqual([
      ['both sets', 3],
      ['face-mask-voc', 3],
    ]);
    const [both, voc] = publication.models;
    expect(both?.evaluations[0]?.accuracy.text).toBe('0.9600 ± 0.0100');
    expect(both?.evaluations[0]?.perClass[1]?.recall.text).toBe('0.960 ± 0.010');
    expect(both?.evaluations[1]?.balancedAccuracy.text).toBe('0.6900 ± 0.0000');
    expect(voc?.stoppedBy).toEqual({ maxEpochs: 1, target: 2 });
    expect(voc?.epochs.text).toBe('11.0 ± 1.0');
    expect(publication.run).toMatchObject({ seeds: 3, units: 6, backends: ['wasm'] });
  });

  it('sets ours beside the seed’s bar and calls only a shortfall beyond noise a gap', () => {
    expect(publication.points.map(({ label, reference, gap }) => [label, reference, gap])).toEqual([
      ['both sets, face-mask-voc validation', 0.97, false],
      ['face-mask-voc, face-mask-voc validation', 0.97, true],
    ]);
  });
});
