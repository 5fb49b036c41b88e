import { MnistLoaderError } from './loader-error.js';

/** The datasets the loader knows. */
export type DatasetName = 'mnist' | 'fashion-mnist' | 'kmnist';

/** One of the four files of a dataset. */
export type FileRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

/** What is known of one original file: a file is accepted only when its sha256 matches. */
export interface KnownFile {
  role: FileRole;
  /** File name, the same in every source folder and on every mirror. */
  name: string;
  /** Size of the gzip file in bytes (progress totals); null where unknown. */
  bytes: number | null;
  /** sha256 of the gzip file as published. */
  sha256: string;
  /** sha256 of the unpacked IDX bytes: accepts re-compressed copies (Debian's packages). */
  unpackedSha256: string | null;
}

/** What locating and verifying need of a file: a {@link KnownFile} without its role. */
export type SourceFile = Omit<KnownFile, 'role'>;

/** A dataset: its files, mirrors (tried in order) and class names. */
export interface KnownDataset {
  /** Sub-folder name in every source folder and in the cache (`mnist`, `fashion-mnist`, …). */
  name: string;
  files: KnownFile[];
  /** Base URLs that serve the files by name. */
  mirrors: string[];
  classNames: string[];
}

const file = (
  role: FileRole,
  name: string,
  bytes: number | null,
  sha256: string,
  unpackedSha256: string | null,
): KnownFile => ({ role, name, bytes, sha256, unpackedSha256 });

/**
 * The known files. MNIST and Fashion-MNIST sizes and sums are those of the original files (they
 * match the published md5 sums and the sums independent loaders hard-code); the unpacked sums were
 * computed from those files. KMNIST's gzip sums are the ones public loaders hard-code for the
 * ROIS-CODH release (ankane/torchvision-ruby and other torchvision-style loaders); its sizes
 * agree between a public README table of the four files and torchvision's download logs. No public
 * source gives KMNIST's unpacked sums, so they are null: a re-compressed KMNIST copy is refused
 * rather than trusted on an unchecked sum.
 */
export const knownDatasets: Readonly<Record<DatasetName, KnownDataset>> = {
  mnist: {
    name: 'mnist',
    files: [
      file(
        'trainImages',
        'train-images-idx3-ubyte.gz',
        9912422,
        '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
        'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
      ),
      file(
        'trainLabels',
        'train-labels-idx1-ubyte.gz',
        28881,
        '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
        '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
      ),
      file(
        'testImages',
        't10k-images-idx3-ubyte.gz',
        1648877,
        '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
        '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
      ),
      file(
        'testLabels',
        't10k-labels-idx1-ubyte.gz',
        4542,
        'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
        'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
      ),
    ],
    mirrors: [
      'https://ossci-datasets.s3.amazonaws.com/mnist/',
      'https://storage.googleapis.com/cvdf-datasets/mnist/',
    ],
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    files: [
      file(
        'trainImages',
        'train-images-idx3-ubyte.gz',
        26421880,
        '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
        'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
      ),
      file(
        'trainLabels',
        'train-labels-idx1-ubyte.gz',
        29515,
        'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
        'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
      ),
      file(
        'testImages',
        't10k-images-idx3-ubyte.gz',
        4422102,
        '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
        '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
      ),
      file(
        'testLabels',
        't10k-labels-idx1-ubyte.gz',
        5148,
        '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
        '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
      ),
    ],
    mirrors: [
      'https://storage.googleapis.com/tensorflow/tf-keras-datasets/',
      // The upstream repository commits the four files; public loaders use this as a mirror.
      'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
    ],
    classNames: [
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ],
  },
  kmnist: {
    name: 'kmnist',
    files: [
      file(
        'trainImages',
        'train-images-idx3-ubyte.gz',
        18165135,
        '51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4',
        null,
      ),
      file(
        'trainLabels',
        'train-labels-idx1-ubyte.gz',
        29497,
        'e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17',
        null,
      ),
      file(
        'testImages',
        't10k-images-idx3-ubyte.gz',
        3041136,
        'edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5',
        null,
      ),
      file(
        'testLabels',
        't10k-labels-idx1-ubyte.gz',
        5120,
        '20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c',
        null,
      ),
    ],
    mirrors: [
      'https://codh.rois.ac.jp/kmnist/dataset/kmnist/',
      // The bucket the upstream README linked to before the files moved to codh.rois.ac.jp.
      'https://storage.googleapis.com/kuzushiji-mnist/',
    ],
    classNames: ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'],
  },
};

/**
 * The description of a dataset given by name or in full.
 *
 * @throws {@link MnistLoaderError} `UNKNOWN_DATASET` for a name that is not in the table
 */
export function resolveDataset(dataset: DatasetName | KnownDataset | undefined): KnownDataset {
  if (dataset === undefined) return knownDatasets.mnist;
  if (typeof dataset === 'object') return dataset;
  const known = knownDatasets[dataset];
  if (!known) {
    throw new MnistLoaderError({
      code: 'UNKNOWN_DATASET',
      message: `unknown dataset "${String(dataset)}"; known datasets: ${Object.keys(knownDatasets).join(', ')}.`,
    });
  }
  return known;
}
