import { ActivationError } from '@actlab/activations';
import { AdversarialError } from '@actlab/adversarial-generator';
import { BackendError } from '@actlab/backend';
import { ActlabError } from '@actlab/errors';
import { GradientProbeError } from '@actlab/gradient-probe';
import { MaskDetectorError } from '@actlab/mask-detector';
import { MnistLoaderError } from '@actlab/mnist-loader';
import { describe, expect, it } from 'vitest';

const errors = [
  new ActivationError({ code: 'UNKNOWN_ACTIVATION', message: 'm' }),
  new AdversarialError({ code: 'INVALID_OPTION', message: 'm' }),
  new BackendError({ code: 'INVALID_OPTION', message: 'm' }),
  new GradientProbeError({ code: 'INVALID_OPTION', message: 'm' }),
  new MaskDetectorError({ code: 'INVALID_OPTION', message: 'm' }),
  new MnistLoaderError({ code: 'INVALID_OPTION', message: 'm' }),
];
const classes = [
  ActivationError,
  AdversarialError,
  BackendError,
  GradientProbeError,
  MaskDetectorError,
  MnistLoaderError,
];
const names = [
  'ActivationError',
  'AdversarialError',
  'BackendError',
  'GradientProbeError',
  'MaskDetectorError',
  'MnistLoaderError',
];

describe("every package's error class", () => {
  it('recognises only its own errors, while ActlabError.isInstance recognises all', () => {
    classes.forEach((errorClass, classIndex) => {
      errors.forEach((error, errorIndex) => {
        expect(errorClass.isInstance(error), `${names[classIndex]} vs ${error.name}`).toBe(
          classIndex === errorIndex,
        );
      });
    });
    for (const error of errors) expect(ActlabError.isInstance(error)).toBe(true);
    expect(MnistLoaderError.isInstance(errors[2])).toBe(false);
  });

  it('carries a literal name and its own Symbol.for marker', () => {
    expect(errors.map((error) => error.name)).toEqual(names);
    const markers = new Set(classes.map((errorClass) => errorClass.marker));
    expect(markers.size).toBe(classes.length);
    expect(markers.has(ActlabError.marker)).toBe(false);
    for (const errorClass of classes) expect(Symbol.keyFor(errorClass.marker)).toBeDefined();
  });
});
