import { fuzzParameters, fuzzTimeout, typedOutcome } from '@actlab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MaskDetectorError } from './mask-detector-error.js';
import { parseVocAnnotation } from './parse-voc.js';

// Numbers as an annotation tool, a careless script or an attacker might write them.
const numberText = fc.oneof(
  fc.integer({ min: -1000, max: 5000 }).map(String),
  fc.constantFrom(
    '-0',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '1e308',
    '0x10',
    ' 12 ',
    '',
    '1,5',
  ),
  fc.double().map(String),
  fc.string({ maxLength: 6 }),
);

/** An element `<tag>` holding text, nothing, a repeated copy, or nested elements. */
const element = (tag: string, text: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 6, arbitrary: text.map((value) => `<${tag}>${value}</${tag}>`) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constant(`<${tag}/>`) },
    { weight: 1, arbitrary: text.map((value) => `<${tag}>${value}</${tag}><${tag}>1</${tag}>`) },
    { weight: 1, arbitrary: text.map((value) => `<${tag}><${tag}>${value}</${tag}></${tag}>`) },
  );

const bndbox = fc
  .tuple(...['xmin', 'ymin', 'xmax', 'ymax'].map((tag) => element(tag, numberText)))
  .map((parts) => `<bndbox>${parts.join('')}</bndbox>`);
const object = fc
  .tuple(
    element('name', fc.constantFrom('with_mask', 'without_mask', 'mask_weared_incorrect', '', 'x')),
    fc.oneof(bndbox, fc.constant(''), fc.constant('<bndbox/>'), fc.constant('<bndbox>1</bndbox>')),
  )
  .map((parts) => `<object>${parts.join('')}</object>`);

/** Nesting `depth` levels deep, as in a file that repeats an element by mistake or on purpose. */
const deepNesting = fc
  .integer({ min: 1, max: 5000 })
  .map((depth) => `${'<part>'.repeat(depth)}x${'</part>'.repeat(depth)}`);

/** A DOCTYPE with entities: a long one, or nested ones that expand exponentially. */
const entities = fc.oneof(
  fc
    .integer({ min: 1, max: 200_000 })
    .map((length) => ({ doctype: `<!ENTITY big "${'a'.repeat(length)}">`, use: '&big;&big;' })),
  fc.integer({ min: 1, max: 12 }).map((levels) => {
    let doctype = '<!ENTITY e0 "lol">';
    for (let level = 1; level <= levels; level++) {
      doctype += `<!ENTITY e${level} "${`&e${level - 1};`.repeat(10)}">`;
    }
    return { doctype, use: `&e${levels};` };
  }),
  fc.constant({ doctype: '<!ENTITY ext SYSTEM "file:///etc/passwd">', use: '&ext;' }),
);

const annotation = fc
  .record({
    filename: element('filename', fc.oneof(fc.constant('a.jpg'), fc.string({ maxLength: 8 }))),
    size: fc
      .tuple(element('width', numberText), element('height', numberText))
      .map(([width, height]) => `<size>${width}${height}</size>`),
    objects: fc.array(object, { maxLength: 4 }),
    nested: fc.option(deepNesting, { nil: undefined }),
    entities: fc.option(entities, { nil: undefined }),
  })
  .map(({ filename, size, objects, nested, entities }) => {
    const doctype = entities ? `<!DOCTYPE annotation [${entities.doctype}]>` : '';
    const name = entities ? `<name>${entities.use}</name>` : '';
    return `<?xml version="1.0"?>${doctype}<annotation>${filename}${size}${objects.join('')}${nested ?? ''}${name}</annotation>`;
  });

/** A well-formed annotation cut short, or with a stretch of it replaced by random text. */
const damaged = fc
  .tuple(annotation, fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
  .map(([xml, start, end, insert]) => {
    const from = start % (xml.length + 1);
    const to = from + (end % 16);
    return xml.slice(0, from) + insert + xml.slice(to);
  });

function checkParsed(parsed: ReturnType<typeof parseVocAnnotation>) {
  for (const box of parsed.objects) {
    expect([box.xmin, box.ymin, box.xmax, box.ymax].every(Number.isFinite)).toBe(true);
    expect(typeof box.name).toBe('string');
  }
  expect(Number.isInteger(parsed.malformedObjects) && parsed.malformedObjects >= 0).toBe(true);
  for (const side of [parsed.width, parsed.height]) {
    expect(side === undefined || Number.isFinite(side)).toBe(true);
  }
}

describe('parseVocAnnotation under fuzzing', () => {
  it(
    'ends hostile VOC XML in finite boxes or ANNOTATION_UNREADABLE',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(annotation, damaged), async (xml) => {
          const outcome = await typedOutcome(() => parseVocAnnotation(xml), MaskDetectorError, {
            codes: ['ANNOTATION_UNREADABLE'],
            maxMilliseconds: 1000,
          });
          if (outcome.ok) checkParsed(outcome.value);
        }),
        fuzzParameters(250),
      );
    },
    fuzzTimeout(20_000),
  );

  it(
    'ends any text in an annotation or ANNOTATION_UNREADABLE',
    async () => {
      const text = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.string({ maxLength: 40 }).map((inner) => `<annotation>${inner}</annotation>`),
        fc.constantFrom('', '<annotation/>', '<annotation>x</annotation>', '<a/><annotation/>'),
      );
      await fc.assert(
        fc.asyncProperty(text, async (xml) => {
          const outcome = await typedOutcome(() => parseVocAnnotation(xml), MaskDetectorError, {
            codes: ['ANNOTATION_UNREADABLE'],
            maxMilliseconds: 1000,
          });
          if (outcome.ok) checkParsed(outcome.value);
        }),
        fuzzParameters(1000),
      );
    },
    fuzzTimeout(20_000),
  );
});
