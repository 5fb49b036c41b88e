import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cifar10FolderName } from '../cifar10/cifar10-files.js';
import { imageDecoderId } from '../cifar10/decode-image.js';
import type { Dataset, LabelledSet } from '../labelled-set.js';

// File layout: magic (8 bytes) | sha256 of the body (32) | body. The body is a u32 (LE) length,
// a JSON description {version, archiveSha256, decoderId, height, width, channels, train, test},
// then train labels, test labels, train images, test images.
const magic = new TextEncoder().encode('ACTLBCD1');
const headBytes = magic.length + 32;
const version = 1;

interface Description {
  version: number;
  archiveSha256: string;
  decoderId: string;
  height: number;
  width: number;
  channels: number;
  train: number;
  test: number;
}

/** `<cacheDir>/cifar-10/decoded/<sha256 of the archive>-<decoder id>.bin` */
export function decodedCachePath(cacheDir: string, archiveSha256: string): string {
  return join(cacheDir, cifar10FolderName, 'decoded', `${archiveSha256}-${imageDecoderId}.bin`);
}

function bodyParts(archiveSha256: string, data: Dataset): Uint8Array[] {
  const { train, test } = data;
  const description: Description = {
    version,
    archiveSha256,
    decoderId: imageDecoderId,
    height: train.height,
    width: train.width,
    channels: train.channels ?? 1,
    train: train.count,
    test: test.count,
  };
  const json = new TextEncoder().encode(JSON.stringify(description));
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, json.length, true);
  return [length, json, train.labels, test.labels, train.images, test.images];
}

/**
 * Writes the decoded sets to `path` atomically: a temp file beside it, renamed into place once
 * complete, so a crash never leaves a file that looks whole.
 */
export async function writeDecodedCache(
  path: string,
  archiveSha256: string,
  data: Dataset,
): Promise<void> {
  const parts = bodyParts(archiveSha256, data);
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const file = await open(temporary, 'w');
  try {
    for (const part of [magic, hash.digest(), ...parts]) await file.write(part);
    await file.close();
    await rename(temporary, path);
  } finally {
    await file.close().catch(() => {});
    await rm(temporary, { force: true });
  }
}

/**
 * The decoded sets stored at `path`, or undefined when there is no such file or it is not a
 * whole, undamaged cache of this archive and decoder (wrong magic, sha256 of the body, length,
 * archive or decoder): the caller decodes again and rewrites it. Images and labels are views on
 * the file's bytes (no copy).
 */
export async function readDecodedCache(
  path: string,
  archiveSha256: string,
): Promise<Dataset | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  if (bytes.length < headBytes + 4 || magic.some((byte, i) => bytes[i] !== byte)) return undefined;
  const body = bytes.subarray(headBytes);
  const sum = createHash('sha256').update(body).digest();
  if (!sum.equals(bytes.subarray(magic.length, headBytes))) return undefined;
  let description: Description;
  try {
    const jsonLength = new DataView(body.buffer, body.byteOffset).getUint32(0, true);
    description = JSON.parse(new TextDecoder().decode(body.subarray(4, 4 + jsonLength)));
    const { height, width, channels, train, test } = description;
    const image = height * width * channels;
    if (
      description.version !== version ||
      description.archiveSha256 !== archiveSha256 ||
      description.decoderId !== imageDecoderId ||
      ![image, train, test].every(Number.isSafeInteger) ||
      body.length !== 4 + jsonLength + (train + test) * (1 + image)
    ) {
      return undefined;
    }
    let at = 4 + jsonLength;
    const take = (length: number) => {
      const part = body.subarray(at, at + length);
      at += length;
      return part;
    };
    const trainLabels = take(train);
    const testLabels = take(test);
    const set = (labels: Uint8Array, count: number): LabelledSet => ({
      images: take(count * image),
      labels,
      count,
      height,
      width,
      channels,
    });
    return { train: set(trainLabels, train), test: set(testLabels, test) };
  } catch {
    return undefined;
  }
}
