// Trains the shipped weights on both face-mask sets together, measures per-dataset validation
// metrics, and writes models/mask-detector/{model.json,weights.bin,metrics.json}.
// Usage: node scripts/train-shipped-model.mjs [--max-epochs 30] [--minutes 14] [--size 48] [--bn-momentum 0.99] [--out models/mask-detector]
//        node scripts/train-shipped-model.mjs --cross [--minutes 6]   (cross-dataset figures only)
// Needs ACTLAB_DATA_DIR (or --data-dir) with face-mask-voc/ and face-mask/.

import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '@actlab/backend';
import { buildMaskModel, saveModelFiles, trainMaskModel } from '../dist/index.js';
import { loadShippedData } from './shipped-data.mjs';

const { values } = parseArgs({
  options: {
    'max-epochs': { type: 'string', default: '30' },
    minutes: { type: 'string', default: '14' },
    out: { type: 'string', default: 'models/mask-detector' },
    'data-dir': { type: 'string' },
    cross: { type: 'boolean', default: false },
    seed: { type: 'string', default: '0' },
    size: { type: 'string', default: '48' },
    'bn-momentum': { type: 'string', default: '0.99' },
  },
});
const dataDir = values['data-dir'] ?? process.env.ACTLAB_DATA_DIR;
if (!dataDir) throw new Error('set ACTLAB_DATA_DIR or pass --data-dir');
const seed = Number(values.seed);
const maxEpochs = Number(values['max-epochs']);
const minutes = Number(values.minutes);
const backend = await selectBackend('auto');
const log = (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
log(`backend ${JSON.stringify(backend)}`);

const size = Number(values.size);
const { voc, folders, offset, shift, images, labels, classNames, evaluate } = await loadShippedData(
  dataDir,
  { size, seed },
);
const { warnings: _v, ...vocSummary } = voc.summary;
const { warnings: _f, ...folderSummary } = folders.summary;
log(
  `voc ${JSON.stringify(vocSummary)} split ${voc.split.train.length}/${voc.split.validation.length}`,
);
log(
  `folders ${JSON.stringify(folderSummary)} split ${folders.split.train.length}/${folders.split.validation.length}`,
);
const all = (n, from = 0) => Array.from({ length: n }, (_, i) => i + from);

async function train(trainIndices, validationIndices, budgetMinutes) {
  const model = buildMaskModel({
    size,
    classes: 2,
    seed,
    batchNormMomentum: Number(values['bn-momentum']),
  });
  const history = await trainMaskModel(
    model,
    { images, labels, classNames, trainIndices, validationIndices },
    {
      maxEpochs,
      seed,
      deadline: Date.now() + budgetMinutes * 60_000,
      onEpoch: (r) =>
        log(
          `epoch ${r.epoch} loss ${r.trainLoss.toFixed(4)} acc ${r.trainAccuracy.toFixed(4)} val acc ${r.validationAccuracy.toFixed(4)} bal ${r.validationBalancedAccuracy.toFixed(4)} val loss ${r.validationLoss.toFixed(4)} ${r.seconds.toFixed(0)} s`,
        ),
    },
  );
  return { model, history };
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores (shared), Node ${process.version}, tfjs ${backend.name ?? JSON.stringify(backend)}`;
const command = `node scripts/train-shipped-model.mjs ${process.argv.slice(2).join(' ')}`.trim();
const out = resolve(values.out);

if (values.cross) {
  const result = { batchNormMomentum: Number(values['bn-momentum']), size };
  log('cross: train on VOC, evaluate on the folders set');
  const a = await train(voc.split.train, voc.split.validation, minutes);
  result.vocToFolders = {
    trainedOn: 'face-mask-voc (train split)',
    evaluatedOn: 'face-mask (every deduplicated image)',
    epochs: a.history.epochs.length,
    ownValidation: await evaluate(a.model, voc.split.validation),
    other: await evaluate(a.model, all(folders.samples.length, offset)),
  };
  a.model.dispose();
  log('cross: train on the folders set, evaluate on VOC');
  const b = await train(shift(folders.split.train), shift(folders.split.validation), minutes);
  result.foldersToVoc = {
    trainedOn: 'face-mask (train split)',
    evaluatedOn: 'face-mask-voc (every crop)',
    epochs: b.history.epochs.length,
    ownValidation: await evaluate(b.model, shift(folders.split.validation)),
    other: await evaluate(b.model, all(voc.samples.length)),
  };
  b.model.dispose();
  await writeFile(
    join(out, 'cross-dataset.json'),
    `${JSON.stringify({ date: new Date().toISOString(), machine, command, seed, ...result }, null, 2)}\n`,
  );
  log(`wrote ${join(out, 'cross-dataset.json')}`);
} else {
  const trainIndices = [...voc.split.train, ...shift(folders.split.train)];
  const validationIndices = [...voc.split.validation, ...shift(folders.split.validation)];
  const started = Date.now();
  const { model, history } = await train(trainIndices, validationIndices, minutes);
  const metrics = {
    date: new Date().toISOString(),
    machine,
    command,
    seed,
    trainingSeconds: Math.round((Date.now() - started) / 1000),
    input: { size, channels: 3, margin: 0.1, range: '[0, 1]' },
    classNames,
    trainedOn: 'face-mask-voc (2 classes, boxes ≥ 10 px) + face-mask (deduplicated), train splits',
    stoppedBy: history.stoppedBy,
    bestEpoch: history.bestEpoch,
    epochs: history.epochs,
    datasets: {
      'face-mask-voc': {
        summary: vocSummary,
        train: voc.split.train.length,
        validation: await evaluate(model, voc.split.validation),
      },
      'face-mask': {
        summary: folderSummary,
        train: folders.split.train.length,
        validation: await evaluate(model, shift(folders.split.validation)),
      },
      both: { validation: await evaluate(model, validationIndices) },
    },
  };
  await saveModelFiles(model, out);
  await writeFile(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  log(
    `wrote ${out}: ${JSON.stringify(metrics.datasets['face-mask-voc'].validation.accuracy)} / ${JSON.stringify(metrics.datasets['face-mask'].validation.accuracy)}`,
  );
  model.dispose();
}
