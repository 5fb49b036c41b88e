/**
 * The most pixels an image file may have (8192 × 8192), checked by sharp on the header before
 * decoding. sharp's own limit (268 MP) let a 200-byte PNG declaring 15 335 448 × 16 pixels run
 * for seconds; 2²⁶ pixels is above any camera photo.
 */
export const maxImagePixels = 2 ** 26;

/** Why an image was refused, for messages: `at most 67108864 pixels (8192 × 8192)`. */
export const maxImagePixelsText = `at most ${maxImagePixels} pixels (8192 × 8192)`;
