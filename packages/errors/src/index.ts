export { ActlabError, type ActlabErrorOptions } from './actlab-error.js';
