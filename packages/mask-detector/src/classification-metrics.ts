import { MaskDetectorError } from './mask-detector-error.js';

/** Precision, recall, F1 and support of one class. */
export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Every figure the README and the study report give for a classifier on one set. */
export interface ClassificationMetrics {
  samples: number;
  accuracy: number;
  /** Mean of the per-class recalls: what accuracy would be if every class were equally common. */
  balancedAccuracy: number;
  perClass: ClassMetrics[];
  /** `confusion[actual][predicted]` counts. */
  confusion: number[][];
}

/**
 * Accuracy, balanced accuracy, per-class precision/recall/F1 and the confusion matrix.
 * A class with no predictions has precision 0; with no samples, recall 0 (and it is left out of
 * the balanced accuracy).
 *
 * @throws {@link MaskDetectorError} `INVALID_OPTION` when the arrays differ in length or a label is out of range
 */
export function classificationMetrics(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classNames: readonly string[],
): ClassificationMetrics {
  const k = classNames.length;
  if (actual.length !== predicted.length) {
    throw new MaskDetectorError({
      code: 'INVALID_OPTION',
      message: `expected as many predictions as labels, got ${predicted.length} and ${actual.length}`,
    });
  }
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const p = predicted[i] as number;
    if (!(a >= 0 && a < k && p >= 0 && p < k)) {
      throw new MaskDetectorError({
        code: 'INVALID_OPTION',
        message: `labels must be whole numbers in 0..${k - 1}; sample ${i} has actual ${a}, predicted ${p}`,
      });
    }
    (confusion[a] as number[])[p] = ((confusion[a] as number[])[p] as number) + 1;
  }
  const perClass = classNames.map((label, c) => {
    const truePositive = (confusion[c] as number[])[c] as number;
    const support = (confusion[c] as number[]).reduce((s, v) => s + v, 0);
    const predictedCount = confusion.reduce((s, row) => s + (row[c] as number), 0);
    const precision = predictedCount > 0 ? truePositive / predictedCount : 0;
    const recall = support > 0 ? truePositive / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const correct = confusion.reduce((s, row, c) => s + (row[c] as number), 0);
  const present = perClass.filter((entry) => entry.support > 0);
  return {
    samples: actual.length,
    accuracy: actual.length > 0 ? correct / actual.length : 0,
    balancedAccuracy:
      present.length > 0 ? present.reduce((s, entry) => s + entry.recall, 0) / present.length : 0,
    perClass,
    confusion,
  };
}
