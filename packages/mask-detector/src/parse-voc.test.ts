import { describe, expect, it } from 'vitest';
import { parseVocAnnotation } from './parse-voc.js';

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

  it('throws when there is no <annotation> root', () => {
    expect(() => parseVocAnnotation('<foo/>')).toThrow(/annotation/);
  });
});
