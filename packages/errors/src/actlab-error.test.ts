import { describe, expect, it } from 'vitest';
import { ActlabError } from './actlab-error.js';

class DemoError extends ActlabError {}

describe('ActlabError', () => {
  it('keeps the subclass name, the code and the cause', () => {
    const cause = new Error('root');
    const error = new DemoError({ code: 'DEMO', message: 'expected x, got y', cause });
    expect(error.name).toBe('DemoError');
    expect(error.code).toBe('DEMO');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('expected x, got y');
  });

  it('recognises errors made by another copy of the package through the shared marker', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('@actlab/error')]: true });
    expect(ActlabError.isInstance(foreign)).toBe(true);
    expect(ActlabError.isInstance(new Error('plain'))).toBe(false);
    expect(ActlabError.isInstance(null)).toBe(false);
  });

  it('matches a code only on actlab errors', () => {
    const error = new DemoError({ code: 'DEMO', message: 'm' });
    expect(ActlabError.hasCode(error, 'DEMO')).toBe(true);
    expect(ActlabError.hasCode(error, 'OTHER')).toBe(false);
    expect(ActlabError.hasCode({ code: 'DEMO' }, 'DEMO')).toBe(false);
  });
});
