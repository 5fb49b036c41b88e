import type { Dataset, LabelledSet } from '../labelled-set.js';
import { MnistLoaderError } from '../loader-error.js';
import { decodeImage } from './decode-image.js';
import { baseName, type NamedFile } from './read-tar.js';
import { balancedCounts, firstOfEachLabel, type Selection } from './select-images.js';

/** How {@link datasetFromImageFolders} reads `train/<class>/*` and `test/<class>/*`. */
export interface ImageFolderOptions {
  /** Class folder names in label order. */
  classNames: readonly string[];
  /** Every image must be this size. */
  height: number;
  width: number;
  /** Where the files came from, for error messages. */
  source: string;
  /** Only these images (see `checkSubset`); only they are decoded. Default: all. */
  selection?: Selection;
}

const splitPattern = /(?:^|\/)(train|test)\/([^/]+)\/([^/]+)$/;

// Numbered files sort by number (2.png before 10.png), others by code unit: the same everywhere.
function compareNames(a: string, b: string): number {
  const numberA = Number.parseInt(a, 10);
  const numberB = Number.parseInt(b, 10);
  if (Number.isFinite(numberA) && Number.isFinite(numberB) && numberA !== numberB) {
    return numberA - numberB;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function decodeSplit(files: { file: NamedFile; label: number }[], options: ImageFolderOptions) {
  const { height, width } = options;
  const images = new Uint8Array(files.length * height * width * 3);
  const labels = new Uint8Array(files.length);
  files.forEach(({ file, label }, n) => {
    const where = `${options.source}: ${file.path}`;
    const image = decodeImage(file.bytes, where, { width, height });
    const out = n * height * width * 3;
    for (let pixel = 0; pixel < height * width; pixel++) {
      images[out + pixel * 3] = image.rgba[pixel * 4] as number;
      images[out + pixel * 3 + 1] = image.rgba[pixel * 4 + 1] as number;
      images[out + pixel * 3 + 2] = image.rgba[pixel * 4 + 2] as number;
    }
    labels[n] = label;
  });
  return { images, labels, count: files.length, height, width, channels: 3 } as LabelledSet;
}

/**
 * Train and test sets from image files laid out as `train/<class>/<file>` and
 * `test/<class>/<file>` (under any common prefix), decoded to RGB. Samples are ordered by label,
 * then by file name (numbers by value), so the result repeats on every machine. Files outside
 * those folders and hidden files (`.DS_Store`) are ignored.
 *
 * @param files - the files of a folder or an archive
 * @param options - class names in label order, image size, source name
 * @throws {@link MnistLoaderError} `UNKNOWN_CLASS_FOLDER` for a class folder not in `classNames`,
 *   `IMAGE_FOLDERS_EMPTY` when a split has no image, `BAD_IMAGE_SIZE`, `IMAGE_DECODE_FAILED`
 */
export function datasetFromImageFolders(
  files: readonly NamedFile[],
  options: ImageFolderOptions,
): Dataset {
  const splits = { train: [], test: [] } as Record<
    'train' | 'test',
    { file: NamedFile; label: number }[]
  >;
  for (const file of files) {
    const match = splitPattern.exec(file.path);
    if (!match || baseName(file.path).startsWith('.')) continue;
    const [, split, className] = match as unknown as [string, 'train' | 'test', string];
    const label = options.classNames.indexOf(className);
    if (label < 0) {
      throw new MnistLoaderError({
        code: 'UNKNOWN_CLASS_FOLDER',
        message: `${options.source}: ${file.path} is in a class folder "${className}" that is not one of ${options.classNames.join(', ')}; rename or remove the folder.`,
      });
    }
    splits[split].push({ file, label });
  }
  const sorted = (split: 'train' | 'test') => {
    const list = splits[split];
    if (list.length === 0) {
      throw new MnistLoaderError({
        code: 'IMAGE_FOLDERS_EMPTY',
        message: `${options.source} has no images in ${split}/<class>/; expected train/<class>/* and test/<class>/* with classes ${options.classNames.join(', ')}.`,
      });
    }
    list.sort(
      (a, b) => a.label - b.label || compareNames(baseName(a.file.path), baseName(b.file.path)),
    );
    if (!options.selection) return decodeSplit(list, options);
    const available = options.classNames.map(() => 0);
    for (const { label } of list) available[label] = (available[label] as number) + 1;
    const counts = balancedCounts(available, options.selection);
    const labels = list.map(({ label }) => label);
    return decodeSplit(
      firstOfEachLabel(labels, counts).map((index) => list[index] as (typeof list)[number]),
      options,
    );
  };
  return { train: sorted('train'), test: sorted('test') };
}
