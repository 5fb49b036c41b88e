import { gzipSync } from 'node:zlib';

/** IDX bytes for u8 data of the given dimensions (tests only). */
export function makeIdx(
  dims: number[],
  data: ArrayLike<number>,
  typeCode = 0x08,
  elementSize = 1,
): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = typeCode;
  header[3] = dims.length;
  dims.forEach((dim, i) => {
    view.setUint32(4 + 4 * i, dim, false);
  });
  const body = new Uint8Array(data.length * elementSize);
  const bodyView = new DataView(body.buffer);
  for (let i = 0; i < data.length; i++) {
    const value = data[i] as number;
    if (typeCode === 0x08) body[i] = value;
    else if (typeCode === 0x09) bodyView.setInt8(i, value);
    else if (typeCode === 0x0b) bodyView.setInt16(2 * i, value, false);
    else if (typeCode === 0x0c) bodyView.setInt32(4 * i, value, false);
    else if (typeCode === 0x0d) bodyView.setFloat32(4 * i, value, false);
    else if (typeCode === 0x0e) bodyView.setFloat64(8 * i, value, false);
    else body[i] = value;
  }
  const bytes = new Uint8Array(header.length + body.length);
  bytes.set(header);
  bytes.set(body, header.length);
  return bytes;
}

/** A tiny IDX dataset: `count` images of 4×4 whose pixels encode their label, gzipped. */
export function tinyDataset(count: number, gzipOptions: { level?: number } = {}) {
  const labels = Array.from({ length: count }, (_, i) => (i * 7) % 10);
  const pixels = labels.flatMap((label) =>
    Array.from({ length: 16 }, (_, p) => (label * 25 + p) % 256),
  );
  const gz = (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes, gzipOptions));
  return {
    labels,
    imagesIdx: makeIdx([count, 4, 4], pixels),
    labelsIdx: makeIdx([count], labels),
    imagesGz: gz(makeIdx([count, 4, 4], pixels)),
    labelsGz: gz(makeIdx([count], labels)),
  };
}

/**
 * The same gzip member with a header like upstream's (FNAME and mtime set); the deflate data and
 * trailer are untouched. Stripping them back, as Debian's packaging does, gives `gz` again.
 */
export function withGzipName(gz: Uint8Array, name: string, mtime: number): Uint8Array {
  const nameBytes = new TextEncoder().encode(`${name}\0`);
  const named = new Uint8Array(gz.length + nameBytes.length);
  named.set(gz.subarray(0, 10));
  named[3] = (gz[3] as number) | 0x08;
  new DataView(named.buffer).setUint32(4, mtime, true);
  named.set(nameBytes, 10);
  named.set(gz.subarray(10), 10 + nameBytes.length);
  return named;
}
