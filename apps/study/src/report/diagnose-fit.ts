/** The per-epoch numbers {@link diagnoseFit} reads. */
export interface FitHistoryEpoch {
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number | null;
  validationAccuracy: number | null;
}

/** Thresholds of the diagnosis. */
export interface FitThresholds {
  /** Below this final training accuracy the model does not fit its own data. Default 0.97. */
  underfitAccuracy?: number;
  /** Above this training − validation accuracy gap the model overfits. Default 0.03. */
  overfitAccuracyGap?: number;
  /** Validation loss this far (relative) above its minimum, with a widening gap, is overfitting. Default 0.1. */
  overfitLossRise?: number;
}

/** A run's label with the evidence behind it. */
export interface FitDiagnosis {
  label: 'underfit' | 'good fit' | 'overfit';
  reasons: string[];
  evidence: {
    finalTrainAccuracy: number;
    finalValidationAccuracy: number;
    accuracyGap: number;
    /** Validation − training loss after the last epoch. */
    lossGap: number;
    /** Least-squares slope of the loss gap per epoch over the second half of training. */
    lossGapTrend: number;
    /** 1-based epoch of the lowest validation loss. */
    minValidationLossEpoch: number;
    /** (final − minimum) / minimum validation loss. */
    validationLossRise: number;
  };
}

function slope(values: number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let numerator = 0;
  let denominator = 0;
  values.forEach((value, x) => {
    numerator += (x - meanX) * (value - meanY);
    denominator += (x - meanX) ** 2;
  });
  return numerator / denominator;
}

/**
 * Labels a training run underfit, good fit or overfit from its learning curves, and says why.
 * Overfit: the training accuracy exceeds the validation accuracy by more than the gap threshold,
 * or the validation loss has risen more than the rise threshold above its minimum while the gap
 * between the losses widens. Otherwise underfit when the final training accuracy is below the
 * underfit threshold. Otherwise a good fit.
 *
 * @throws Error when the history is empty or has no validation numbers
 */
export function diagnoseFit(
  history: FitHistoryEpoch[],
  thresholds: FitThresholds = {},
): FitDiagnosis {
  const { underfitAccuracy = 0.97, overfitAccuracyGap = 0.03, overfitLossRise = 0.1 } = thresholds;
  const last = history[history.length - 1];
  if (!last || last.validationLoss === null || last.validationAccuracy === null) {
    throw new Error('diagnoseFit needs at least one epoch with validation loss and accuracy');
  }
  const validationLosses = history.map((epoch) => epoch.validationLoss ?? Number.NaN);
  const minimum = Math.min(...validationLosses);
  const minValidationLossEpoch = validationLosses.indexOf(minimum) + 1;
  const gaps = history.map((epoch) => (epoch.validationLoss ?? Number.NaN) - epoch.trainLoss);
  const secondHalf = gaps.slice(Math.floor(gaps.length / 2));
  const evidence = {
    finalTrainAccuracy: last.trainAccuracy,
    finalValidationAccuracy: last.validationAccuracy,
    accuracyGap: last.trainAccuracy - last.validationAccuracy,
    lossGap: last.validationLoss - last.trainLoss,
    lossGapTrend: slope(secondHalf),
    minValidationLossEpoch,
    validationLossRise: (last.validationLoss - minimum) / minimum,
  };
  const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
  const reasons: string[] = [];
  const gapTooWide = evidence.accuracyGap > overfitAccuracyGap;
  const lossRising = evidence.validationLossRise > overfitLossRise && evidence.lossGapTrend > 0;
  if (gapTooWide) {
    reasons.push(
      `training accuracy ${pct(evidence.finalTrainAccuracy)} exceeds validation accuracy ${pct(evidence.finalValidationAccuracy)} by ${pct(evidence.accuracyGap)} (> ${pct(overfitAccuracyGap)})`,
    );
  }
  if (lossRising) {
    reasons.push(
      `validation loss is ${pct(evidence.validationLossRise)} above its minimum (epoch ${minValidationLossEpoch}) and the loss gap widens by ${evidence.lossGapTrend.toFixed(4)} per epoch`,
    );
  }
  if (gapTooWide || lossRising) return { label: 'overfit', reasons, evidence };
  if (evidence.finalTrainAccuracy < underfitAccuracy) {
    reasons.push(
      `training accuracy is only ${pct(evidence.finalTrainAccuracy)} (< ${pct(underfitAccuracy)}): the model does not fit its own training data`,
    );
    return { label: 'underfit', reasons, evidence };
  }
  reasons.push(
    `training accuracy ${pct(evidence.finalTrainAccuracy)}, validation ${pct(evidence.finalValidationAccuracy)} (gap ${pct(evidence.accuracyGap)}); validation loss lowest at epoch ${minValidationLossEpoch}, ${pct(evidence.validationLossRise)} above it now`,
  );
  return { label: 'good fit', reasons, evidence };
}
