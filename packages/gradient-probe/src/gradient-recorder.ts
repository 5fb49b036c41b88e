import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GradientProbeError } from './probe-error.js';
import { type GradientProbe, type ProbeOptions, probeGradients } from './probe-gradients.js';

/** One probe taken during training. */
export interface ProbeRecord {
  /** 0-based epoch the probe was taken at the end of (or during, with batches). */
  epoch: number;
  /** Batches seen so far in this epoch; null for an end-of-epoch probe. */
  batch: number | null;
  probe: GradientProbe;
}

/** What to probe and how often. */
export interface RecorderOptions extends ProbeOptions {
  /** The fixed probe batch. */
  xs: tf.Tensor;
  ys: tf.Tensor | null;
  /** `'epoch'` (default) or every n batches. */
  every?: 'epoch' | { batches: number };
}

/** A series of probes that can be saved as JSON. */
export interface GradientRecorder {
  readonly series: ProbeRecord[];
  /** Probes the model now and appends the result (for custom training loops). */
  record(model: tfl.LayersModel, position: { epoch: number; batch?: number | null }): ProbeRecord;
  toJSON(): { series: ProbeRecord[] };
}

/**
 * A recorder for custom training loops: call `record(model, {epoch})` where you want a probe.
 *
 * @throws {@link GradientProbeError} `INVALID_OPTION` for a bad `every`
 */
export function createGradientRecorder(options: RecorderOptions): GradientRecorder {
  const { every = 'epoch' } = options;
  if (every !== 'epoch' && !(Number.isInteger(every.batches) && every.batches >= 1)) {
    throw new GradientProbeError({
      code: 'INVALID_OPTION',
      message: `every must be 'epoch' or {batches: n} with n ≥ 1, got ${JSON.stringify(every)}.`,
    });
  }
  const series: ProbeRecord[] = [];
  return {
    series,
    record(model, { epoch, batch = null }) {
      const entry = { epoch, batch, probe: probeGradients(model, options.xs, options.ys, options) };
      series.push(entry);
      return entry;
    },
    toJSON: () => ({ series }),
  };
}

/** A `model.fit` callback that probes on a schedule; its `series` fills as training runs. */
export class GradientProbeCallback extends tfl.Callback {
  readonly recorder: GradientRecorder;
  private readonly every: 'epoch' | { batches: number };
  private epoch = 0;
  private batchesThisEpoch = 0;

  constructor(options: RecorderOptions) {
    super();
    this.recorder = createGradientRecorder(options);
    this.every = options.every ?? 'epoch';
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
    this.batchesThisEpoch = 0;
  }

  override async onBatchEnd(): Promise<void> {
    this.batchesThisEpoch++;
    if (this.every !== 'epoch' && this.batchesThisEpoch % this.every.batches === 0) {
      this.recorder.record(this.model as tfl.LayersModel, {
        epoch: this.epoch,
        batch: this.batchesThisEpoch,
      });
    }
  }

  override async onEpochEnd(epoch: number): Promise<void> {
    if (this.every === 'epoch') this.recorder.record(this.model as tfl.LayersModel, { epoch });
  }

  /** The probes recorded so far. */
  get series(): ProbeRecord[] {
    return this.recorder.series;
  }

  toJSON(): { series: ProbeRecord[] } {
    return this.recorder.toJSON();
  }
}

/** A {@link GradientProbeCallback} for `model.fit({callbacks: [...]})`. */
export function gradientProbeCallback(options: RecorderOptions): GradientProbeCallback {
  return new GradientProbeCallback(options);
}
