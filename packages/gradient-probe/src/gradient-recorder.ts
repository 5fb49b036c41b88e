import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { activationBins } from './activation-statistics.js';
import { GradientProbeError } from './probe-error.js';
import { type GradientProbe, type ProbeOptions, probeGradients } from './probe-gradients.js';
import { logBins } from './tensor-statistics.js';

/** How often a recorder probes: at the end of every epoch, or after every n optimizer steps. */
export type ProbeSchedule = 'epoch' | { batches: number };

/** One probe taken during training. */
export interface ProbeRecord {
  /** 0-based epoch the probe was taken in (at its end, for `every: 'epoch'`). */
  epoch: number;
  /** 0-based index within the epoch of the batch just trained; null for an end-of-epoch probe. */
  batch: number | null;
  /** Optimizer steps taken since the recorder was created. */
  step: number;
  probe: GradientProbe;
}

/** What to probe and how often. */
export interface RecorderOptions extends Omit<ProbeOptions, 'previousWeights'> {
  /** The fixed probe batch (kept, never disposed, by the recorder). */
  xs: tf.Tensor | readonly tf.Tensor[];
  /** Its targets; needed for `objective: 'loss'` (the default). */
  ys?: tf.Tensor | readonly tf.Tensor[] | null;
  /** `'epoch'` (default) or `{batches: n}`: every n optimizer steps, counted across epochs. */
  every?: ProbeSchedule;
  /**
   * Also measure the step the optimizer actually took before each probe
   * (`appliedUpdateRatioLog10`), by keeping a copy of the weights from before each batch that
   * may be probed. The copy shares memory with the weights until the optimizer replaces them,
   * so it costs one model's worth of memory, not time. Default true.
   */
  measureAppliedUpdates?: boolean;
}

/** A recorded series as plain data, for `JSON.stringify`. */
export interface GradientSeries {
  format: 'actlab-gradient-probe-series';
  version: 1;
  every: ProbeSchedule;
  /** Edges of every activation histogram in the series. */
  activationBins: number[];
  /** Edges of every log10|g| histogram in the series. */
  logBins: number[];
  series: ProbeRecord[];
}

/** Records probes over training; for custom loops, or through {@link gradientProbeCallback}. */
export interface GradientRecorder {
  /** The probes recorded so far, oldest first. */
  readonly series: readonly ProbeRecord[];
  /** Call before each optimizer step: remembers the weights when the next step may be probed. */
  beforeBatch(model: LayersModel): void;
  /** Call after each optimizer step: counts it, and probes when `every: {batches: n}` is due. */
  afterBatch(model: LayersModel, position: { epoch: number; batch: number }): ProbeRecord | null;
  /** Call at the end of each epoch: probes when `every: 'epoch'`. */
  afterEpoch(model: LayersModel, position: { epoch: number }): ProbeRecord | null;
  /** Probes now, whatever the schedule, and appends the result. */
  record(model: LayersModel, position: { epoch: number; batch?: number | null }): ProbeRecord;
  /** The series as plain data: what `JSON.stringify(recorder)` writes. */
  toJSON(): GradientSeries;
  /** Frees the remembered weights (the series stays). */
  dispose(): void;
}

function checkSchedule(every: unknown): ProbeSchedule {
  if (every === 'epoch') return every;
  const batches = (every as { batches?: unknown } | null)?.batches;
  if (typeof batches === 'number' && Number.isInteger(batches) && batches >= 1) {
    return { batches };
  }
  throw new GradientProbeError({
    code: 'INVALID_OPTION',
    message: `every must be 'epoch' or {batches: n} with a whole n ≥ 1, got ${JSON.stringify(every)}.`,
  });
}

/**
 * A recorder for training loops. In a custom loop call `beforeBatch(model)` before each
 * optimizer step, `afterBatch(model, {epoch, batch})` after it and `afterEpoch(model, {epoch})`
 * at the end of each epoch; `record` probes on demand.
 *
 * @param options - the probe batch, the schedule, and any {@link ProbeOptions}
 * @throws {@link GradientProbeError} `INVALID_OPTION` for a bad `every` (and, when probing, any
 *   error of {@link probeGradients})
 */
export function createGradientRecorder(options: RecorderOptions): GradientRecorder {
  const every = checkSchedule(options.every ?? 'epoch');
  const { xs, ys = null, every: _every, measureAppliedUpdates = true, ...probeOptions } = options;
  const series: ProbeRecord[] = [];
  let step = 0;
  let remembered: tf.Tensor[] | null = null;

  const forget = () => {
    if (remembered) tf.dispose(remembered);
    remembered = null;
  };
  const probe = (model: LayersModel, epoch: number, batch: number | null): ProbeRecord => {
    const previousWeights =
      remembered && remembered.length === model.trainableWeights.length ? remembered : undefined;
    const entry: ProbeRecord = {
      epoch,
      batch,
      step,
      probe: probeGradients(model, xs, ys, {
        ...probeOptions,
        ...(previousWeights ? { previousWeights } : {}),
      }),
    };
    series.push(entry);
    return entry;
  };
  const nextStepIsProbed = () => every === 'epoch' || (step + 1) % every.batches === 0;

  return {
    series,
    beforeBatch(model) {
      forget();
      if (measureAppliedUpdates && nextStepIsProbed()) {
        // tf.clone shares the data buffer; the optimizer's assign gives the variable a new one.
        remembered = model.trainableWeights.map((weight) => tf.keep(tf.clone(weight.read())));
      }
    },
    afterBatch(model, { epoch, batch }) {
      step++;
      if (every === 'epoch' || step % every.batches !== 0) return null;
      const entry = probe(model, epoch, batch);
      forget();
      return entry;
    },
    afterEpoch(model, { epoch }) {
      if (every !== 'epoch') return null;
      const entry = probe(model, epoch, null);
      forget();
      return entry;
    },
    record(model, { epoch, batch = null }) {
      return probe(model, epoch, batch);
    },
    toJSON: () => ({
      format: 'actlab-gradient-probe-series',
      version: 1,
      every,
      activationBins: [...activationBins],
      logBins: [...logBins],
      series,
    }),
    dispose: forget,
  };
}
