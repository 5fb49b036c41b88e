// Prints the README's metrics tables from models/mask-detector/metrics.json and cross-dataset.json
// (written by train-shipped-model.mjs), so every figure in the README comes from a measured file.
import { readFile } from 'node:fs/promises';

const folder = new URL('../models/mask-detector/', import.meta.url);
const metrics = JSON.parse(await readFile(new URL('metrics.json', folder), 'utf8'));
const row = (name, m) => {
  const [a, b] = m.perClass;
  const f = (c) => `${c.precision.toFixed(3)} / ${c.recall.toFixed(3)} / ${c.f1.toFixed(3)}`;
  return `| ${name} | ${m.samples} | ${m.accuracy.toFixed(4)} | ${m.balancedAccuracy.toFixed(4)} | ${f(a)} | ${f(b)} | ${JSON.stringify(m.confusion)} |`;
};
const header = [
  '| evaluated on | samples | accuracy | balanced accuracy | with_mask P / R / F1 | no_mask P / R / F1 | confusion [[actual with_mask: →with, →no], [actual no_mask: …]] |',
  '| --- | ---: | ---: | ---: | --- | --- | --- |',
];
const kept = metrics.epochs[(metrics.bestEpoch ?? metrics.epochs.length) - 1];
console.log(
  `Shipped weights: ${metrics.epochs.length} epoch(s), stopped because ${metrics.stoppedBy}, ${metrics.trainingSeconds} s of training; ${metrics.date.slice(0, 10)}; ${metrics.machine}.`,
);
console.log(
  `Command: \`${metrics.command}\` (seed ${metrics.seed}, ${metrics.input.size}×${metrics.input.size} crops). Weights of epoch ${kept.epoch} (${metrics.bestEpoch ? 'the best validation balanced accuracy' : 'the last'}): validation accuracy ${kept.validationAccuracy.toFixed(4)}, balanced ${kept.validationBalancedAccuracy.toFixed(4)}.\n`,
);
console.log(
  [
    ...header,
    row(
      'face-mask-voc validation (VOC crops ≥ 10 px)',
      metrics.datasets['face-mask-voc'].validation,
    ),
    row(
      'face-mask validation (deduplicated, pairs grouped)',
      metrics.datasets['face-mask'].validation,
    ),
    row('both validation sets', metrics.datasets.both.validation),
  ].join('\n'),
);
const voc = metrics.datasets['face-mask-voc'].validation;
console.log(
  `\nThe seed's bar, > 97 % validation accuracy on the VOC crops: ${(100 * voc.accuracy).toFixed(1)} % — ${voc.accuracy > 0.97 ? 'met' : 'not met'} (balanced accuracy ${(100 * voc.balancedAccuracy).toFixed(1)} %).`,
);
try {
  const cross = JSON.parse(await readFile(new URL('cross-dataset.json', folder), 'utf8'));
  console.log(
    `\nCross-dataset (separate models, ${cross.size}×${cross.size}, BatchNorm momentum ${cross.batchNormMomentum}, ${cross.date.slice(0, 10)}, \`${cross.command}\`):\n`,
  );
  console.log(
    [
      ...header.map((line, i) =>
        i === 0 ? line.replace('| evaluated on |', '| trained on → evaluated on |') : line,
      ),
      row(
        `face-mask-voc (${cross.vocToFolders.epochs} epochs) → face-mask-voc validation`,
        cross.vocToFolders.ownValidation,
      ),
      row('face-mask-voc → face-mask, all of it', cross.vocToFolders.other),
      row(
        `face-mask (${cross.foldersToVoc.epochs} epochs) → face-mask validation`,
        cross.foldersToVoc.ownValidation,
      ),
      row('face-mask → face-mask-voc, all of it', cross.foldersToVoc.other),
    ].join('\n'),
  );
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
