import { gzipSync } from 'node:zlib';
import { damagedBytes, fuzzParameters, fuzzTimeout, typedOutcome } from '@actlab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MnistLoaderError } from '../loader-error.js';
import { parseIdxBytes } from '../parse-idx-bytes.js';
import { makeIdx } from '../test-support/make-idx.js';
import { parseIdx } from './parse-idx.js';

const elementSizes: Record<number, number> = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 };

/** IDX bytes with a header that may lie: any type code, rank, dimensions and body length. */
const idxLike = fc
  .record({
    typeCode: fc.oneof(fc.constantFrom(8, 9, 11, 12, 13, 14), fc.integer({ min: 0, max: 255 })),
    dims: fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.constant(0xffffffff),
      ),
      { maxLength: 5 },
    ),
    // The body's length against what the header declares: exact, short or long.
    bodyDelta: fc.oneof(fc.constant(0), fc.integer({ min: -16, max: 16 })),
    fill: fc.integer({ min: 0, max: 255 }),
    rankByte: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
  })
  .map(({ typeCode, dims, bodyDelta, fill, rankByte }) => {
    const header = makeIdx(dims, [], typeCode);
    if (rankByte !== undefined) header[3] = rankByte;
    const declared =
      dims.reduce((product, dim) => product * dim, 1) * (elementSizes[typeCode] ?? 1);
    // Huge declared sizes get a small body: the parser must refuse them without allocating.
    const length = Math.max(0, (declared <= 4096 ? declared : 64) + bodyDelta);
    const bytes = new Uint8Array(header.length + length).fill(fill);
    bytes.set(header);
    return bytes;
  });

const validIdx = makeIdx([3, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

function checkParsed(bytes: Uint8Array, parsed: ReturnType<typeof parseIdxBytes>) {
  const count = parsed.dims.reduce((product, dim) => product * dim, 1);
  expect(parsed.data.length).toBe(count);
  expect(bytes.length).toBe(4 + 4 * parsed.dims.length + count * parsed.data.BYTES_PER_ELEMENT);
}

describe('parseIdxBytes under fuzzing', () => {
  it(
    'ends every header-lying IDX input in a parsed array or a MnistLoaderError',
    async () => {
      await fc.assert(
        fc.asyncProperty(idxLike, async (bytes) => {
          const outcome = await typedOutcome(() => parseIdxBytes(bytes, 'fuzz'), MnistLoaderError, {
            maxMilliseconds: 500,
          });
          if (outcome.ok) checkParsed(bytes, outcome.value);
        }),
        fuzzParameters(1500),
      );
    },
    fuzzTimeout(20_000),
  );

  it(
    'ends random and damaged bytes in a parsed array or a MnistLoaderError',
    async () => {
      await fc.assert(
        fc.asyncProperty(damagedBytes(validIdx), async (bytes) => {
          const outcome = await typedOutcome(() => parseIdxBytes(bytes, 'fuzz'), MnistLoaderError, {
            maxMilliseconds: 500,
          });
          if (outcome.ok) checkParsed(bytes, outcome.value);
        }),
        fuzzParameters(1500),
      );
    },
    fuzzTimeout(20_000),
  );
});

describe('parseIdx (gzip or raw) under fuzzing', () => {
  it(
    'ends damaged gzip IDX files in a parsed array or GZIP_CORRUPT / an IDX code',
    async () => {
      const input = fc.oneof(
        idxLike.map((bytes) => new Uint8Array(gzipSync(bytes))),
        damagedBytes(new Uint8Array(gzipSync(validIdx))),
        idxLike.chain((bytes) => damagedBytes(new Uint8Array(gzipSync(bytes)))),
      );
      await fc.assert(
        fc.asyncProperty(input, async (bytes) => {
          await typedOutcome(() => parseIdx(bytes, 'fuzz.gz'), MnistLoaderError, {
            maxMilliseconds: 1000,
          });
        }),
        fuzzParameters(500),
      );
    },
    fuzzTimeout(20_000),
  );
});
