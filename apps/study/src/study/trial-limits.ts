import type { TrialSettings } from './study-schema.js';

/** Training and test images of each dataset a grid trial can use (all 28×28, 10 classes). */
export const datasetSizes = {
  mnist: { train: 60_000, test: 10_000 },
  'fashion-mnist': { train: 60_000, test: 10_000 },
  kmnist: { train: 60_000, test: 10_000 },
} as const;

const inputSize = 28 * 28;
const classes = 10;

/**
 * The most weights and biases a trial's model may have: 20 million. Its checkpoint (weights and
 * optimizer state as base64 in one JSON string) must stay below V8's string limit, and the
 * weights, gradients and optimizer state in memory below a few GiB.
 */
export const maxModelParameters = 20_000_000;

/** The hidden layer widths of a trial: `hiddenLayers`, or depth − 1 layers of `width`. */
export function hiddenWidths(
  settings: Pick<TrialSettings, 'hiddenLayers' | 'depth' | 'width'>,
): number[] {
  return settings.hiddenLayers ?? Array.from({ length: settings.depth - 1 }, () => settings.width);
}

/** Weights and biases of a trial's MLP (28×28 inputs, 10 classes), learnable activations aside. */
export function modelParameterCount(
  settings: Pick<TrialSettings, 'hiddenLayers' | 'depth' | 'width'>,
): number {
  let count = 0;
  let fanIn = inputSize;
  for (const units of [...hiddenWidths(settings), classes]) {
    count += fanIn * units + units;
    fanIn = units;
  }
  return count;
}

/** What is impossible about a combination of trial settings (model size, data split), by field. */
export function trialProblems(
  settings: TrialSettings,
): { field: keyof TrialSettings; message: string }[] {
  const problems: { field: keyof TrialSettings; message: string }[] = [];
  const parameters = modelParameterCount(settings);
  if (parameters > maxModelParameters) {
    const layers = [inputSize, ...hiddenWidths(settings), classes];
    const shown =
      layers.length > 8 ? `${layers.slice(0, 4).join('-')}-…-${classes}` : layers.join('-');
    problems.push({
      field: settings.hiddenLayers ? 'hiddenLayers' : 'width',
      message: `the model ${shown} has ${parameters.toLocaleString('en-US')} weights and biases; the limit is ${maxModelParameters.toLocaleString('en-US')}: use fewer or narrower layers`,
    });
  }
  const sizes = datasetSizes[settings.dataset];
  const heldOut = Math.round(sizes.train * settings.validationFraction);
  const trainable = sizes.train - heldOut;
  if (trainable < 1) {
    problems.push({
      field: 'validationFraction',
      message: `${settings.validationFraction} holds out ${heldOut} of the ${sizes.train} ${settings.dataset} training images and leaves none to train on; use a fraction below ${(1 - 1 / sizes.train).toFixed(5)}`,
    });
  } else if (settings.trainSize !== null && settings.trainSize > trainable) {
    problems.push({
      field: 'trainSize',
      message: `${settings.trainSize} training images asked, but ${settings.dataset} has ${trainable}${heldOut > 0 ? ` once validationFraction ${settings.validationFraction} is held out` : ''}; use at most ${trainable} (or null for all of them)`,
    });
  }
  if (settings.testSize !== null && settings.testSize > sizes.test) {
    problems.push({
      field: 'testSize',
      message: `${settings.testSize} test images asked, but ${settings.dataset} has ${sizes.test}; use at most ${sizes.test} (or null for all of them)`,
    });
  }
  return problems;
}
