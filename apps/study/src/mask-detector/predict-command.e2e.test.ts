import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@actlab/test-utils';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../../dist/cli.js');

describe('actlab mask predict', () => {
  it('prints one line per box, writes the labelled photo, and rejects a malformed box', async () => {
    const folder = await makeTempDir('actlab-mask-');
    try {
      const photo = join(folder.path, 'photo.png');
      await writeFile(
        photo,
        await sharp({ create: { width: 120, height: 80, channels: 3, background: '#808080' } })
          .png()
          .toBuffer(),
      );
      const out = join(folder.path, 'labelled.png');
      const { stdout } = await run('node', [
        cli,
        'mask',
        'predict',
        photo,
        '--box',
        '0,0,50,60',
        '--box',
        '60,10,50,60',
        '--out',
        out,
        '--backend',
        'cpu',
      ]);
      const lines = stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^box 0,0,50,60: (with_mask|no_mask) \(p = 0\.\d{3}\)$/);
      expect(lines[1]).toMatch(/^box 60,10,50,60: /);
      expect(await sharp(out).metadata()).toMatchObject({ width: 120, height: 80, format: 'png' });
      await expect(
        run('node', [cli, 'mask', 'predict', photo, '--box', '1,2,3', '--backend', 'cpu']),
      ).rejects.toMatchObject({
        stderr: expect.stringContaining('[BAD_BOX]'),
      });
    } finally {
      await folder.remove();
    }
  }, 60_000);
});
