import type { Dataset, LabelledSet } from '../labelled-set.js';
import { MnistLoaderError } from '../loader-error.js';
import { cifar10TestBatch, cifar10TrainBatches } from './cifar10-files.js';
import { baseName, type NamedFile } from './read-tar.js';
import { type Selection, selectRecords } from './select-images.js';

const side = 32;
const planeBytes = side * side;
/** One record: 1 label byte, then 1024 red, 1024 green and 1024 blue bytes, row-major. */
const recordBytes = 1 + 3 * planeBytes;

/**
 * Parses one batch file of CIFAR-10's binary release (`data_batch_<n>.bin`, `test_batch.bin`).
 * The planar records (all red, then green, then blue) become interleaved HWC pixels, the layout
 * `toTensors` turns into [n, 32, 32, 3].
 *
 * @param bytes - the whole file
 * @param source - a name for error messages, such as the path
 * @throws {@link MnistLoaderError} `CIFAR_BAD_RECORD_LENGTH` when the length is not a whole
 *   number (≥ 1) of 3 073-byte records, `LABEL_OUT_OF_RANGE` for a label byte above 9
 */
export function parseCifar10Batch(bytes: Uint8Array, source = 'CIFAR-10 batch'): LabelledSet {
  if (bytes.length === 0 || bytes.length % recordBytes !== 0) {
    throw new MnistLoaderError({
      code: 'CIFAR_BAD_RECORD_LENGTH',
      message: `${source}: ${bytes.length} bytes is not a whole number of ${recordBytes}-byte records (1 label byte + 3 072 pixel bytes); the file is cut short or not a CIFAR-10 batch (CIFAR-100 records have 2 label bytes).`,
    });
  }
  const count = bytes.length / recordBytes;
  const labels = new Uint8Array(count);
  const images = new Uint8Array(count * 3 * planeBytes);
  for (let n = 0; n < count; n++) {
    const record = n * recordBytes;
    const label = bytes[record] as number;
    if (label > 9) {
      throw new MnistLoaderError({
        code: 'LABEL_OUT_OF_RANGE',
        message: `${source}: record ${n} has label ${label}, CIFAR-10 labels are 0–9; this is not a CIFAR-10 batch.`,
      });
    }
    labels[n] = label;
    const out = n * 3 * planeBytes;
    for (let pixel = 0; pixel < planeBytes; pixel++) {
      for (let channel = 0; channel < 3; channel++) {
        images[out + pixel * 3 + channel] = bytes[
          record + 1 + channel * planeBytes + pixel
        ] as number;
      }
    }
  }
  return { images, labels, count, height: side, width: side, channels: 3 };
}

/** Several sets of the same image shape, one after the other. */
export function concatenateSets(sets: LabelledSet[]): LabelledSet {
  const first = sets[0] as LabelledSet;
  const images = new Uint8Array(sets.reduce((sum, set) => sum + set.images.length, 0));
  const labels = new Uint8Array(sets.reduce((sum, set) => sum + set.count, 0));
  let imageOffset = 0;
  let labelOffset = 0;
  for (const set of sets) {
    images.set(set.images, imageOffset);
    labels.set(set.labels, labelOffset);
    imageOffset += set.images.length;
    labelOffset += set.count;
  }
  return { ...first, images, labels, count: labels.length };
}

/**
 * CIFAR-10's train (`data_batch_1…5.bin`, in that order) and test (`test_batch.bin`) sets from
 * the files of the binary release, found by name wherever they sit (the official archive puts
 * them in `cifar-10-batches-bin/`).
 *
 * @param files - the archive's or folder's files
 * @param source - where they came from, for error messages
 * @param selection - only these records (see `checkSubset`): the first of each class in record
 *   order, kept in record order. Default: all.
 * @throws {@link MnistLoaderError} `CIFAR_MISSING_BATCH` when a batch file is missing, and the
 *   errors of {@link parseCifar10Batch}
 */
export function cifar10FromBatchFiles(
  files: readonly NamedFile[],
  source: string,
  selection?: Selection,
): Dataset {
  const batch = (name: string): LabelledSet => {
    const file = files.find((candidate) => baseName(candidate.path) === name);
    if (!file) {
      throw new MnistLoaderError({
        code: 'CIFAR_MISSING_BATCH',
        message: `${source} has no ${name}; the binary release holds ${[...cifar10TrainBatches, cifar10TestBatch].join(', ')} (in cifar-10-batches-bin/). Use the original cifar-10-binary.tar.gz or its unpacked folder.`,
      });
    }
    return parseCifar10Batch(file.bytes, `${source}: ${file.path}`);
  };
  const train = concatenateSets(cifar10TrainBatches.map(batch));
  const test = batch(cifar10TestBatch);
  if (!selection) return { train, test };
  return { train: selectRecords(train, selection), test: selectRecords(test, selection) };
}
