import type { EncodedTrainerState, TrainerKind } from '@actlab/backend';
import type { TrialSettings } from '../study/study-schema.js';

/** Metrics measured after one epoch (epoch 0 = before training). */
export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number | null;
  validationAccuracy: number | null;
  testLoss: number;
  testAccuracy: number;
  /** Seconds spent training this epoch (evaluation and probing excluded). */
  trainSeconds: number;
  /** Seconds for the whole epoch: training, evaluation, probing and checkpoint. */
  wallSeconds: number;
  /** Parameters of the learnable activation layers after the epoch, when recorded. */
  learnedParameters?: { layer: string; activation: string; values: Record<string, number[]> }[];
}

/** Per-layer gradient figures of one probe, kept compact for the report. */
export interface LayerGradientSummary {
  layer: string;
  /** 1-based position among the probed layers. */
  index: number;
  maxAbs: number;
  meanAbs: number;
  l2Norm: number;
  deadFraction?: number | null;
  saturatedFraction?: number | null;
}

/** Gradient statistics recorded after one epoch (epoch 0 = the untrained net). */
export interface GradientRecord {
  epoch: number;
  target: 'weights' | 'input' | 'outputSum';
  layers: LayerGradientSummary[];
}

/** How a finished trial ended. */
export type TrialStatus = 'completed' | 'diverged';

/** The last file a trial writes: its presence means the trial is finished. */
export interface TrialResult {
  id: string;
  label: string;
  settings: TrialSettings;
  status: TrialStatus;
  /** Epoch at which the loss or the weights became NaN or infinite. */
  divergedAtEpoch: number | null;
  epochs: EpochMetrics[];
  finalTestAccuracy: number;
  backend: string;
  /** What trained it: the fused WebAssembly Dense-stack trainer or stock tfjs (absent in older runs). */
  trainer?: TrainerKind;
  trainSeconds: number;
  /** True when the trial was continued from a checkpoint. */
  resumed: boolean;
}

/** Everything needed to continue a trial exactly where it stopped, saved after every epoch. */
export interface TrialCheckpoint {
  /** Trial id the checkpoint belongs to; a mismatch means the folder was reused. */
  trialId: string;
  /** Last finished epoch. */
  epoch: number;
  /** The model's weights and the optimizer's state, from `@actlab/backend`'s trainer. */
  trainer: EncodedTrainerState;
  metrics: EpochMetrics[];
  gradients: GradientRecord[];
  trainSeconds: number;
}
