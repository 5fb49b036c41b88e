/** Images and labels of one split, as the loader gives them: uint8 pixels, row-major. */
export interface LabelledImages {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** The data one trial trains and evaluates on. */
export interface TrialData {
  train: LabelledImages;
  validation: LabelledImages | null;
  test: LabelledImages;
  /** Pixels per image (784 for 28×28). */
  inputSize: number;
  classes: number;
}

/**
 * Fills `xs` (pixels / 255) and `ys` (one-hot) for the samples `order[start..start+size)`.
 * Works on preallocated buffers so an epoch allocates nothing per batch.
 */
export function fillBatch(
  set: LabelledImages,
  order: ArrayLike<number> | null,
  start: number,
  size: number,
  inputSize: number,
  classes: number,
  xs: Float32Array,
  ys: Float32Array,
): void {
  ys.fill(0, 0, size * classes);
  for (let row = 0; row < size; row++) {
    const sample = order ? (order[start + row] as number) : start + row;
    const source = sample * inputSize;
    const target = row * inputSize;
    for (let pixel = 0; pixel < inputSize; pixel++) {
      xs[target + pixel] = (set.images[source + pixel] as number) / 255;
    }
    ys[row * classes + (set.labels[sample] as number)] = 1;
  }
}
