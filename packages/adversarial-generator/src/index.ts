export {
  type AmortisedGenerator,
  type AmortisedOptions,
  trainAmortisedGenerator,
} from './amortised.js';
export {
  type AttackResult,
  type CarliniWagnerOptions,
  carliniWagnerL2,
  type DeepFoolOptions,
  deepFool,
  fgsm,
  type GradientAttackOptions,
  type PgdOptions,
  pgd,
} from './attacks.js';
export { type Augmentation, type AugmentationOptions, imageAugmentation } from './augment.js';
export {
  buildCifarClassifier,
  buildCifarNotebookClassifier,
  type CifarClassifierOptions,
} from './cifar-classifiers.js';
export {
  buildMnistClassifier,
  type ClassifierOptions,
  type LoadFromUrlOptions,
  loadClassifierFromUrl,
} from './classifier.js';
export { AdversarialError, type AdversarialErrorCode } from './errors.js';
export {
  type Attack,
  type EpsilonFigures,
  type EvaluateOptions,
  evaluateAttack,
} from './evaluate.js';
export {
  type GeneratorAttackOptions,
  type GeneratorAttackResult,
  generatorAttack,
} from './generator.js';
export {
  type ClassifierEpoch,
  type LabelledImages,
  measureAccuracy,
  type TrainClassifierOptions,
  type TrainedClassifier,
  trainMnistClassifier,
} from './train-classifier.js';
