import { createRequire } from 'node:module';
import type * as FastXmlParser from 'fast-xml-parser';
import type Sharp from 'sharp';
import { MaskDetectorError } from '../mask-detector-error.js';

const require = createRequire(import.meta.url);

/**
 * Loads an optional peer dependency of the Node entry when first needed: sharp (image files) and
 * fast-xml-parser (VOC annotations) are not installed with the package, so a browser app never
 * gets their native binaries.
 *
 * @throws {@link MaskDetectorError} `MISSING_DEPENDENCY` when the package is not installed or
 *   does not load
 */
function loadOptional<T>(name: string, neededFor: string): T {
  try {
    return require(name) as T;
  } catch (cause) {
    throw new MaskDetectorError({
      code: 'MISSING_DEPENDENCY',
      message: `${neededFor} needs ${name}, which did not load (${(cause as Error).message.split('\n')[0]}): it is an optional peer dependency of @actlab/mask-detector for Node; npm install ${name}.`,
      cause,
    });
  }
}

/** sharp, for decoding and resizing image files in Node. */
export const loadSharp = (neededFor: string): typeof Sharp =>
  loadOptional<typeof Sharp>('sharp', neededFor);

/** fast-xml-parser, for Pascal VOC annotations in Node. */
export const loadFastXmlParser = (neededFor: string): typeof FastXmlParser =>
  loadOptional<typeof FastXmlParser>('fast-xml-parser', neededFor);
