import { MnistLoaderError } from './loader-error.js';

/** Element types of the IDX format, by their type code. */
export type IdxType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';

/** A parsed IDX array: its dimensions and its values in row-major order. */
export interface IdxArray {
  type: IdxType;
  dims: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const types: Record<number, { type: IdxType; size: number }> = {
  8: { type: 'u8', size: 1 },
  9: { type: 'i8', size: 1 },
  11: { type: 'i16', size: 2 },
  12: { type: 'i32', size: 4 },
  13: { type: 'f32', size: 4 },
  14: { type: 'f64', size: 8 },
};

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * @internal The byte length of the whole IDX file whose first bytes are `start` (header plus
 * data, as its dimensions and type say), or `undefined` when `start` holds no complete IDX
 * header. Used to bound how far a gzip IDX file may unpack.
 */
export function idxByteLength(start: Uint8Array): number | undefined {
  if (start.length < 4 || start[0] !== 0 || start[1] !== 0) return undefined;
  const elementType = types[start[2] as number];
  const rank = start[3] as number;
  const headerBytes = 4 + 4 * rank;
  if (!elementType || start.length < headerBytes) return undefined;
  const view = new DataView(start.buffer, start.byteOffset, start.byteLength);
  let count = 1;
  for (let i = 0; i < rank; i++) count *= view.getUint32(4 + 4 * i, false);
  return headerBytes + count * elementType.size;
}

/**
 * Parses uncompressed IDX bytes. u8 and i8 data are views on `bytes` (no copy); multi-byte types
 * are copied and converted from big-endian.
 *
 * @throws {@link MnistLoaderError} `IDX_EMPTY`, `IDX_BAD_MAGIC`, `IDX_UNKNOWN_TYPE`,
 *   `IDX_TRUNCATED` or `IDX_SIZE_MISMATCH`
 */
export function parseIdxBytes(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  if (bytes.length === 0) {
    throw new MnistLoaderError({
      code: 'IDX_EMPTY',
      message: `${source} is empty: expected an IDX file.`,
    });
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    const found = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(
      ' ',
    );
    throw new MnistLoaderError({
      code: 'IDX_BAD_MAGIC',
      message: `${source} is not an IDX file: it should start with 00 00 <type> <dims>, found ${found}. Is it another format, or gzip data that was not unpacked?`,
    });
  }
  const typeCode = bytes[2] as number;
  const elementType = types[typeCode];
  if (!elementType) {
    throw new MnistLoaderError({
      code: 'IDX_UNKNOWN_TYPE',
      message: `${source} has IDX type code 0x${typeCode.toString(16)}; valid codes are 0x08 (u8), 0x09 (i8), 0x0b (i16), 0x0c (i32), 0x0d (f32), 0x0e (f64).`,
    });
  }
  const rank = bytes[3] as number;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new MnistLoaderError({
      code: 'IDX_TRUNCATED',
      message: `${source} ends inside its header: ${rank} dimensions need ${headerBytes} bytes, the file has ${bytes.length}.`,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((product, dim) => product * dim, 1);
  const expected = headerBytes + count * elementType.size;
  if (bytes.length !== expected) {
    throw new MnistLoaderError({
      code: bytes.length < expected ? 'IDX_TRUNCATED' : 'IDX_SIZE_MISMATCH',
      message: `${source} has dimensions [${dims.join(', ')}] of ${elementType.type}, which need ${expected} bytes, but it has ${bytes.length}${bytes.length < expected ? ': the file is cut short, download it again' : ''}.`,
    });
  }
  const body = bytes.subarray(headerBytes);
  return { type: elementType.type, dims, data: decode(elementType.type, body, count) };
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const arrayTypes = {
  i16: Int16Array,
  i32: Int32Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;

function decode(type: IdxType, body: Uint8Array, count: number): IdxArray['data'] {
  if (type === 'u8') return body;
  if (type === 'i8') return new Int8Array(body.buffer, body.byteOffset, count);
  const ArrayType = arrayTypes[type];
  // A copy: IDX data is big-endian and, after a 4 + 4·rank byte header, rarely aligned.
  const copy = body.slice();
  if (littleEndianHost) {
    const size = ArrayType.BYTES_PER_ELEMENT;
    for (let start = 0; start < copy.length; start += size) {
      for (let low = start, high = start + size - 1; low < high; low++, high--) {
        const swap = copy[low] as number;
        copy[low] = copy[high] as number;
        copy[high] = swap;
      }
    }
  }
  return new ArrayType(copy.buffer, 0, count);
}
