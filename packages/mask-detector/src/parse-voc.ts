import type { XMLParser } from 'fast-xml-parser';
import { MaskDetectorError } from './mask-detector-error.js';
import { loadFastXmlParser } from './node/optional-dependency.js';

/** One box of a Pascal VOC annotation, in pixels (xmax, ymax exclusive as the dataset writes them). */
export interface VocObject {
  /** Class name as written in `<name>`. */
  name: string;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** A parsed Pascal VOC annotation file. */
export interface VocAnnotation {
  /** `<filename>`, or undefined when missing. */
  filename: string | undefined;
  /** `<size><width>`, or undefined when missing. */
  width: number | undefined;
  /** `<size><height>`, or undefined when missing. */
  height: number | undefined;
  /** Every `<object>` with a complete numeric `<bndbox>`. */
  objects: VocObject[];
  /** Objects dropped because their box was missing or not numeric. */
  malformedObjects: number;
}

let parser: XMLParser | undefined;

function toNumber(value: unknown): number {
  return typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
}

/**
 * Parses a Pascal VOC XML annotation with fast-xml-parser.
 *
 * @param xml - the file's text
 * @returns the filename, size and boxes; objects with a missing or non-numeric box are counted in
 *   `malformedObjects` rather than thrown
 * @throws {@link MaskDetectorError} `ANNOTATION_UNREADABLE` when the text is not well-formed XML
 *   (or nests deeper than fast-xml-parser allows, or declares an oversized entity) or has no
 *   `<annotation>` element with children; `MISSING_DEPENDENCY` when fast-xml-parser is not
 *   installed
 */
export function parseVocAnnotation(xml: string): VocAnnotation {
  parser ??= new (loadFastXmlParser('parseVocAnnotation').XMLParser)({
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: true,
  });
  let document: Record<string, unknown>;
  try {
    document = parser.parse(xml, true) as Record<string, unknown>;
  } catch (cause) {
    throw new MaskDetectorError({
      code: 'ANNOTATION_UNREADABLE',
      message: `not a Pascal VOC annotation: the XML does not parse (${(cause as Error).message}); expected <annotation> with <filename>, <size> and <object> elements.`,
      cause,
    });
  }
  const root = document.annotation;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new MaskDetectorError({
      code: 'ANNOTATION_UNREADABLE',
      message: `not a Pascal VOC annotation: expected one <annotation> root element with <filename>, <size> and <object> children, found ${
        root === undefined
          ? `root elements ${
              Object.keys(document)
                .map((name) => `<${name}>`)
                .join(', ') || 'none'
            }`
          : Array.isArray(root)
            ? 'several <annotation> elements'
            : 'an <annotation> without child elements'
      }.`,
    });
  }
  const annotation = root as Record<string, unknown>;
  const size = (annotation.size ?? {}) as Record<string, unknown>;
  const rawObjects = annotation.object === undefined ? [] : [annotation.object].flat();
  const objects: VocObject[] = [];
  let malformedObjects = 0;
  for (const raw of rawObjects as Record<string, unknown>[]) {
    const box = (raw?.bndbox ?? {}) as Record<string, unknown>;
    const object = {
      name: typeof raw?.name === 'string' ? raw.name : '',
      xmin: toNumber(box.xmin),
      ymin: toNumber(box.ymin),
      xmax: toNumber(box.xmax),
      ymax: toNumber(box.ymax),
    };
    if ([object.xmin, object.ymin, object.xmax, object.ymax].every(Number.isFinite)) {
      objects.push(object);
    } else {
      malformedObjects++;
    }
  }
  const width = toNumber(size.width);
  const height = toNumber(size.height);
  return {
    filename: typeof annotation.filename === 'string' ? annotation.filename : undefined,
    width: Number.isFinite(width) ? width : undefined,
    height: Number.isFinite(height) ? height : undefined,
    objects,
    malformedObjects,
  };
}
