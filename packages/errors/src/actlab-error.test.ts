import { describe, expect, it } from 'vitest';
import { ActlabError } from './actlab-error.js';

class DemoError extends ActlabError<'DEMO' | 'OTHER'> {
  static override readonly marker: symbol = Symbol.for('@actlab/errors-test/DemoError');
  override readonly name = 'DemoError' as const;
}

class OtherError extends ActlabError<'X'> {
  static override readonly marker: symbol = Symbol.for('@actlab/errors-test/OtherError');
  override readonly name = 'OtherError' as const;
}

class ChildOfDemoError extends DemoError {
  static override readonly marker: symbol = Symbol.for('@actlab/errors-test/ChildOfDemoError');
}

describe('ActlabError', () => {
  it('keeps the literal name, the code and the cause', () => {
    const cause = new Error('root');
    const error = new DemoError({ code: 'DEMO', message: 'expected x, got y', cause });
    expect(error.name).toBe('DemoError');
    expect(error.code).toBe('DEMO');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('expected x, got y');
    expect(String(error)).toBe('DemoError: expected x, got y');
  });

  it('names the base class ActlabError and a subclass without a literal name by its class name', () => {
    class Unnamed extends ActlabError {}
    expect(new ActlabError({ code: 'A', message: 'm' }).name).toBe('ActlabError');
    expect(new Unnamed({ code: 'A', message: 'm' }).name).toBe('Unnamed');
  });

  it('tells error classes apart while ActlabError.isInstance accepts all of them', () => {
    const demo = new DemoError({ code: 'DEMO', message: 'm' });
    const other = new OtherError({ code: 'X', message: 'm' });
    expect(DemoError.isInstance(demo)).toBe(true);
    expect(DemoError.isInstance(other)).toBe(false);
    expect(OtherError.isInstance(demo)).toBe(false);
    expect(ActlabError.isInstance(demo)).toBe(true);
    expect(ActlabError.isInstance(other)).toBe(true);
  });

  it('recognises a subclass instance as an instance of its parent classes only', () => {
    const child = new ChildOfDemoError({ code: 'DEMO', message: 'm' });
    expect(ChildOfDemoError.isInstance(child)).toBe(true);
    expect(DemoError.isInstance(child)).toBe(true);
    expect(ActlabError.isInstance(child)).toBe(true);
    expect(ChildOfDemoError.isInstance(new DemoError({ code: 'DEMO', message: 'm' }))).toBe(false);
  });

  it('recognises errors made by another copy of the package through the shared markers', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('@actlab/errors/ActlabError')]: true,
      [Symbol.for('@actlab/errors-test/DemoError')]: true,
    });
    expect(ActlabError.isInstance(foreign)).toBe(true);
    expect(DemoError.isInstance(foreign)).toBe(true);
    expect(OtherError.isInstance(foreign)).toBe(false);
    expect(ActlabError.isInstance(new Error('plain'))).toBe(false);
    expect(ActlabError.isInstance(null)).toBe(false);
  });

  it('matches a code only on errors of the class asked', () => {
    const error = new DemoError({ code: 'DEMO', message: 'm' });
    expect(ActlabError.hasCode(error, 'DEMO')).toBe(true);
    expect(DemoError.hasCode(error, 'DEMO')).toBe(true);
    expect(OtherError.hasCode(error, 'DEMO')).toBe(false);
    expect(ActlabError.hasCode(error, 'OTHER')).toBe(false);
    expect(ActlabError.hasCode({ code: 'DEMO' }, 'DEMO')).toBe(false);
  });

  it('narrows the code to the class union after isInstance', () => {
    const error: unknown = new DemoError({ code: 'OTHER', message: 'm' });
    if (!DemoError.isInstance(error)) throw new Error('expected a DemoError');
    const code: 'DEMO' | 'OTHER' = error.code;
    expect(code).toBe('OTHER');
  });
});
