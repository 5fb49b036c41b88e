import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@actlab/test-utils';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../../dist/cli.js');
const dataDir = process.env.ACTLAB_DATA_DIR;

describe('actlab mask predict with no box', () => {
  it.skipIf(!dataDir)(
    'finds the faces of a real photo itself, prints one line each and draws them',
    async () => {
      const folder = await makeTempDir('actlab-mask-detect-');
      try {
        const photo = join(dataDir ?? '', 'face-mask-voc', 'images', 'maksssksksss40.jpg');
        const out = join(folder.path, 'labelled.jpg');
        const { stdout } = await run('node', [
          cli,
          'mask',
          'predict',
          photo,
          '--out',
          out,
          '--backend',
          'wasm',
        ]);
        const lines = stdout.trim().split('\n');
        // Four annotated faces, then the "wrote" line.
        expect(lines).toHaveLength(5);
        for (const line of lines.slice(0, 4)) {
          expect(line).toMatch(
            /^face \d+,\d+,\d+,\d+ \(face score 0\.\d\d\): (with_mask|no_mask) \(p = [01]\.\d{3}\)$/,
          );
        }
        expect(await sharp(out).metadata()).toMatchObject({
          width: 400,
          height: 267,
          format: 'jpeg',
        });
      } finally {
        await folder.remove();
      }
    },
    60_000,
  );

  it('classifies the whole image as one face when no face is found', async () => {
    const folder = await makeTempDir('actlab-mask-detect-');
    try {
      const photo = join(folder.path, 'grey.png');
      await writeFile(
        photo,
        await sharp({ create: { width: 120, height: 80, channels: 3, background: '#808080' } })
          .png()
          .toBuffer(),
      );
      const { stdout } = await run('node', [cli, 'mask', 'predict', photo, '--backend', 'wasm']);
      expect(stdout.trim()).toMatch(
        /^image \(no face found: the whole image as one face\): (with_mask|no_mask) \(p = [01]\.\d{3}\)$/,
      );
    } finally {
      await folder.remove();
    }
  }, 60_000);
});
