import { describe, expect, it } from 'vitest';
import { StudyError } from '../engine/study-error.js';
import { minimumSeeds, reproduceCommand } from './reproduce-command.js';

describe('actlab reproduce', () => {
  it('refuses fewer than 3 seeds before running anything', async () => {
    const error = await reproduceCommand(['depth-activation'], {
      out: 'never-written',
      seeds: minimumSeeds - 1,
      workers: 1,
      backend: 'cpu',
      plain: true,
    }).catch((caught: unknown) => caught);
    expect(StudyError.hasCode(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('at least 3 seeds');
  });
});
