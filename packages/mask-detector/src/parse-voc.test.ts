import { ActlabError } from '@actlab/errors';
import { describe, expect, it } from 'vitest';
import { parseVocAnnotation } from './parse-voc.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (ActlabError.isInstance(error)) return error.code;
    throw error;
  }
  throw new Error('expected an error');
}

describe('parseVocAnnotation', () => {
  it('reads the filename, size and every box, one object or many', () => {
    const one = parseVocAnnotation(
      '<annotation><filename>x.jpg</filename><size><width>400</width><height>300</height></size><object><name>with_mask</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>401</xmax><ymax>40</ymax></bndbox></object></annotation>',
    );
    expect(one).toEqual({
      filename: 'x.jpg',
      width: 400,
      height: 300,
      objects: [{ name: 'with_mask', xmin: 1, ymin: 2, xmax: 401, ymax: 40 }],
      malformedObjects: 0,
    });
    const two = parseVocAnnotation(
      '<annotation><object><name>a</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object><object><name>b</name><bndbox><xmin>q</xmin></bndbox></object></annotation>',
    );
    expect(two.objects.map((o) => o.name)).toEqual(['a']);
    expect(two.malformedObjects).toBe(1);
    expect(two.width).toBeUndefined();
  });

  it('throws ANNOTATION_UNREADABLE when there is no <annotation> root', () => {
    expect(codeOf(() => parseVocAnnotation('<foo/>'))).toBe('ANNOTATION_UNREADABLE');
    expect(() => parseVocAnnotation('<foo/>')).toThrow(/found root elements <foo>/);
  });

  // Found by fuzzing: these threw fast-xml-parser's bare Error (or ours), not a typed error.
  it('throws ANNOTATION_UNREADABLE, not a bare Error, for text that is not XML', () => {
    for (const text of ['', 'not xml', '<annotation><size>', '<annotation></size></annotation>']) {
      expect(codeOf(() => parseVocAnnotation(text))).toBe('ANNOTATION_UNREADABLE');
    }
  });

  it('throws ANNOTATION_UNREADABLE for an <annotation> with no child elements', () => {
    expect(() => parseVocAnnotation('<annotation>hello</annotation>')).toThrow(
      /without child elements/,
    );
  });

  it('refuses nesting deeper than the parser allows and oversized entities with a typed error', () => {
    const deep = `<annotation>${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}</annotation>`;
    expect(codeOf(() => parseVocAnnotation(deep))).toBe('ANNOTATION_UNREADABLE');
    const entity = `<!DOCTYPE annotation [<!ENTITY x "${'a'.repeat(100_000)}">]><annotation><filename>&x;</filename></annotation>`;
    expect(codeOf(() => parseVocAnnotation(entity))).toBe('ANNOTATION_UNREADABLE');
  });

  it('leaves nested entities unexpanded (no exponential blow-up)', () => {
    let doctype = '<!ENTITY e0 "lol">';
    for (let level = 1; level <= 9; level++) {
      doctype += `<!ENTITY e${level} "${`&e${level - 1};`.repeat(10)}">`;
    }
    const parsed = parseVocAnnotation(
      `<!DOCTYPE annotation [${doctype}]><annotation><filename>&e9;</filename></annotation>`,
    );
    expect(parsed.filename?.length).toBeLessThan(100);
  });
});
