import { damagedBytes, fuzzParameters, fuzzTimeout, typedOutcome } from '@actlab/test-utils';
import fc from 'fast-check';
import { packTar } from 'modern-tar';
import { describe, expect, it } from 'vitest';
import { MnistLoaderError } from '../loader-error.js';
import {
  encodeJpeg,
  encodePng,
  jpegDeclaring,
  makeCifar10Batch,
  pngDeclaring,
  rgbaImage,
  tinyBinaryRelease,
} from '../test-support/make-cifar10.js';
import { cifar10ClassNames } from './cifar10-files.js';
import { decodeImage } from './decode-image.js';
import { datasetFromImageFolders } from './image-folders.js';
import { cifar10FromBatchFiles, parseCifar10Batch } from './parse-cifar10-binary.js';
import { readTar } from './read-tar.js';

const recordBytes = 3073;

/** Batch files of whole, cut or overlong records, with any label bytes. */
const batchLike = fc
  .record({
    records: fc.integer({ min: 0, max: 3 }),
    extra: fc.oneof(fc.constant(0), fc.integer({ min: -recordBytes + 1, max: recordBytes - 1 })),
    labels: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 3, maxLength: 3 }),
  })
  .map(({ records, extra, labels }) => {
    const bytes = makeCifar10Batch(records);
    labels.forEach((label, n) => {
      if (n < records) bytes[n * recordBytes] = label;
    });
    const length = Math.max(0, bytes.length + extra);
    const sized = new Uint8Array(length);
    sized.set(bytes.subarray(0, length));
    return sized;
  });

describe('parseCifar10Batch under fuzzing', () => {
  it(
    'ends every batch-like input in a set of 32×32×3 images or a MnistLoaderError',
    async () => {
      await fc.assert(
        fc.asyncProperty(batchLike, async (bytes) => {
          const outcome = await typedOutcome(() => parseCifar10Batch(bytes), MnistLoaderError, {
            codes: ['CIFAR_BAD_RECORD_LENGTH', 'LABEL_OUT_OF_RANGE'],
            maxMilliseconds: 500,
          });
          if (outcome.ok) {
            expect(outcome.value.count * recordBytes).toBe(bytes.length);
            expect(outcome.value.images.length).toBe(outcome.value.count * 3072);
          }
        }),
        fuzzParameters(300),
      );
    },
    fuzzTimeout(20_000),
  );

  it(
    'ends a release with missing, renamed or damaged batch files in a dataset or a MnistLoaderError',
    async () => {
      const release = tinyBinaryRelease();
      const files = fc
        .array(
          fc.record({
            index: fc.nat({ max: release.length - 1 }),
            rename: fc.option(fc.constantFrom('data_batch_1.bin', 'test_batch.bin', 'x', ''), {
              nil: undefined,
            }),
            damage: fc.boolean(),
          }),
          { maxLength: 8 },
        )
        .chain((picks) =>
          fc.tuple(
            ...picks.map(({ index, rename, damage }) => {
              const file = release[index]!;
              const path = rename === undefined ? file.path : `cifar-10-batches-bin/${rename}`;
              return (damage ? damagedBytes(file.bytes) : fc.constant(file.bytes)).map((bytes) => ({
                path,
                bytes,
              }));
            }),
          ),
        );
      await fc.assert(
        fc.asyncProperty(files, async (named) => {
          await typedOutcome(() => cifar10FromBatchFiles(named, 'fuzz'), MnistLoaderError, {
            maxMilliseconds: 1000,
          });
        }),
        fuzzParameters(200),
      );
    },
    fuzzTimeout(20_000),
  );
});

describe('readTar under fuzzing', () => {
  it(
    'ends damaged tar archives in a list of files or ARCHIVE_CORRUPT',
    async () => {
      const tar = await packTar(
        tinyBinaryRelease()
          .slice(0, 2)
          .map(({ path, bytes }) => ({
            header: { name: path, size: bytes.length, type: 'file' as const },
            body: bytes,
          })),
      );
      await fc.assert(
        fc.asyncProperty(damagedBytes(tar), async (bytes) => {
          await typedOutcome(() => readTar(bytes, 'fuzz.tar'), MnistLoaderError, {
            codes: ['ARCHIVE_CORRUPT'],
            maxMilliseconds: 1000,
          });
        }),
        fuzzParameters(300),
      );
    },
    fuzzTimeout(20_000),
  );
});

const png = encodePng(rgbaImage(3));
const jpeg = encodeJpeg(rgbaImage(5));
const side = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffffffff }));

/** Damaged PNG and JPEG bytes, and valid headers declaring any size over small pixel data. */
const damagedImage = fc.oneof(
  damagedBytes(png),
  damagedBytes(jpeg),
  fc.tuple(side, side).map(([width, height]) => pngDeclaring(png, width, height)),
  fc
    .tuple(side, side)
    .map(([width, height]) => jpegDeclaring(jpeg, width & 0xffff, height & 0xffff)),
);

const size = { width: 32, height: 32 };

describe('decodeImage under fuzzing', () => {
  it(
    'ends damaged PNG and JPEG bytes in 32×32 pixels, IMAGE_DECODE_FAILED or BAD_IMAGE_SIZE',
    async () => {
      await fc.assert(
        fc.asyncProperty(damagedImage, async (bytes) => {
          const outcome = await typedOutcome(
            () => decodeImage(bytes, 'fuzz', size),
            MnistLoaderError,
            {
              codes: ['IMAGE_DECODE_FAILED', 'BAD_IMAGE_SIZE'],
              maxMilliseconds: 1000,
            },
          );
          if (outcome.ok) {
            expect(outcome.value.rgba.length).toBe(32 * 32 * 4);
          }
        }),
        fuzzParameters(400),
      );
    },
    fuzzTimeout(20_000),
  );

  it(
    'ends image folders with odd paths and damaged images in a dataset or a MnistLoaderError',
    async () => {
      const entry = fc.record({
        split: fc.constantFrom('train', 'test', 'valid', ''),
        className: fc.oneof(fc.constantFrom(...cifar10ClassNames), fc.string({ maxLength: 4 })),
        name: fc.oneof(fc.constantFrom('1.png', '10.jpg', '.DS_Store', '2'), fc.string()),
        bytes: fc.oneof(fc.constant(png), fc.constant(jpeg), damagedImage),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(entry, { maxLength: 6 }), async (entries) => {
          const files = entries.map(({ split, className, name, bytes }) => ({
            path: `root/${split}/${className}/${name}`,
            bytes,
          }));
          const outcome = await typedOutcome(
            () =>
              datasetFromImageFolders(files, {
                classNames: cifar10ClassNames,
                height: 32,
                width: 32,
                source: 'fuzz',
              }),
            MnistLoaderError,
            { maxMilliseconds: 1000 },
          );
          if (outcome.ok) {
            const { train, test } = outcome.value;
            expect(train.images.length + test.images.length).toBe(
              (train.count + test.count) * 32 * 32 * 3,
            );
          }
        }),
        fuzzParameters(200),
      );
    },
    fuzzTimeout(20_000),
  );
});
