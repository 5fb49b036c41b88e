import * as tfl from '@tensorflow/tfjs-layers';
import {
  createGradientRecorder,
  type GradientRecorder,
  type GradientSeries,
  type ProbeRecord,
  type RecorderOptions,
} from './gradient-recorder.js';

/**
 * A `model.fit` callback that probes the model on a fixed batch on a schedule; the series fills
 * as training runs. A thin adapter over {@link createGradientRecorder}.
 */
export class GradientProbeCallback extends tfl.Callback {
  /** The recorder doing the work. */
  readonly recorder: GradientRecorder;
  private epoch = 0;

  constructor(options: RecorderOptions) {
    super();
    this.recorder = createGradientRecorder(options);
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
  }

  override async onBatchBegin(): Promise<void> {
    this.recorder.beforeBatch(this.model);
  }

  override async onBatchEnd(batch: number): Promise<void> {
    this.recorder.afterBatch(this.model, { epoch: this.epoch, batch });
  }

  override async onEpochEnd(epoch: number): Promise<void> {
    this.recorder.afterEpoch(this.model, { epoch });
  }

  override async onTrainEnd(): Promise<void> {
    this.recorder.dispose();
  }

  /** The probes recorded so far. */
  get series(): readonly ProbeRecord[] {
    return this.recorder.series;
  }

  /** The series as plain data: what `JSON.stringify(callback)` writes. */
  toJSON(): GradientSeries {
    return this.recorder.toJSON();
  }
}

/**
 * A callback for `model.fit({callbacks: [...]})` that records gradient and activation
 * statistics on a fixed batch, once per epoch or every n batches.
 *
 * @param options - `xs`, `ys`, `every` (`'epoch'` or `{batches: n}`) and any probe options
 * @throws {@link GradientProbeError} `INVALID_OPTION` for a bad `every`; during `fit`, any error
 *   of {@link probeGradients} (e.g. a probe batch that does not fit the model)
 */
export function gradientProbeCallback(options: RecorderOptions): GradientProbeCallback {
  return new GradientProbeCallback(options);
}
