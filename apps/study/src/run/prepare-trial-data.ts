import { type Dataset, loadMnist, splitTrainValidation, subset } from '@actlab/mnist-loader';
import type { TrialSettings } from '../study/study-schema.js';
import type { TrialData } from './trial-data.js';

/** Splits and subsets use one fixed seed, so every trial of a study sees the same images. */
const dataSeed = 0;
const loaded = new Map<string, Promise<Dataset>>();

/**
 * The data of a trial: the dataset (loaded once per thread), a stratified validation split,
 * then stratified subsets of the training part (`trainSize`) and of the test set (`testSize`).
 */
export async function prepareTrialData(
  settings: TrialSettings,
  dataDir?: string,
): Promise<TrialData> {
  const key = `${settings.dataset}\u0000${dataDir ?? ''}`;
  const dataset =
    loaded.get(key) ?? loadMnist({ dataset: settings.dataset, ...(dataDir ? { dataDir } : {}) });
  if (!loaded.has(key)) {
    loaded.set(key, dataset);
    dataset.catch(() => loaded.delete(key));
  }
  const { train: fullTrain, test: fullTest } = await dataset;
  const split =
    settings.validationFraction > 0
      ? splitTrainValidation(fullTrain, {
          validationFraction: settings.validationFraction,
          seed: dataSeed,
        })
      : { train: fullTrain, validation: null };
  const train = settings.trainSize
    ? subset(split.train, { size: settings.trainSize, seed: dataSeed })
    : split.train;
  const validation =
    split.validation && settings.trainSize
      ? subset(split.validation, {
          size: Math.max(
            1,
            Math.round(
              (settings.trainSize * settings.validationFraction) /
                (1 - settings.validationFraction),
            ),
          ),
          seed: dataSeed,
        })
      : split.validation;
  const test = settings.testSize
    ? subset(fullTest, { size: settings.testSize, seed: dataSeed })
    : fullTest;
  return { train, validation, test, inputSize: train.height * train.width, classes: 10 };
}
