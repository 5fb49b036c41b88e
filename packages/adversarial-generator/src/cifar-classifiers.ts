import * as tfl from '@tensorflow/tfjs-layers';
import type { ClassifierOptions } from './classifier.js';

/** Options of {@link buildCifarClassifier}. */
export interface CifarClassifierOptions extends ClassifierOptions {
  /** Filters of the three blocks. Default [32, 64, 128]. */
  filters?: [number, number, number];
  /** Dropout after each block. Default [0.2, 0.3, 0.4]. */
  blockDropout?: [number, number, number];
  /** Units of the Dense layer before the output. Default 128. */
  denseUnits?: number;
}

/**
 * The seed report's CIFAR-10 CNN: three blocks of [Conv 3×3 same, ReLU → BatchNorm] × 2 →
 * MaxPool 2 → Dropout, then Flatten → Dense(128, ReLU) → BatchNorm → Dropout 0.5 →
 * Dense(classes, softmax). The report names the layers, not their sizes; filters 32/64/128 and
 * block dropouts 0.2/0.3/0.4 are the usual choice for this layout (the Keras tutorial network
 * it follows). With the defaults it has 552 874 parameters (1 152 of them BatchNorm moving
 * statistics), as Keras counts them. Not compiled. Dropout masks are not seeded: tfjs draws the
 * same mask on every step when a Dropout layer has a seed.
 */
export function buildCifarClassifier(options: CifarClassifierOptions = {}): tfl.Sequential {
  const {
    seed = 1,
    inputShape = [32, 32, 3],
    classes = 10,
    filters = [32, 64, 128],
    blockDropout = [0.2, 0.3, 0.4],
    denseUnits = 128,
  } = options;
  const init = (offset: number) => tfl.initializers.heUniform({ seed: seed + offset });
  const model = tfl.sequential();
  filters.forEach((count, block) => {
    for (let layer = 0; layer < 2; layer++) {
      model.add(
        tfl.layers.conv2d({
          ...(block === 0 && layer === 0 ? { inputShape } : {}),
          filters: count,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: init(block * 2 + layer),
        }),
      );
      model.add(tfl.layers.batchNormalization());
    }
    model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tfl.layers.dropout({ rate: blockDropout[block] as number }));
  });
  model.add(tfl.layers.flatten());
  model.add(
    tfl.layers.dense({ units: denseUnits, activation: 'relu', kernelInitializer: init(10) }),
  );
  model.add(tfl.layers.batchNormalization());
  model.add(tfl.layers.dropout({ rate: 0.5 }));
  model.add(
    tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(11) }),
  );
  return model;
}

/**
 * The course notebook's CIFAR-10 CNN (81.27 % test there, no augmentation): six Conv 5×5 same
 * layers of 32, 48, 64, 80, 96 and 112 filters with ReLU, each followed by BatchNorm, a MaxPool 2
 * after every second one, then Flatten → Dense(512, ReLU) → BatchNorm → Dense(classes, softmax).
 * 1 633 754 parameters (1 888 of them BatchNorm moving statistics). Not compiled.
 */
export function buildCifarNotebookClassifier(options: ClassifierOptions = {}): tfl.Sequential {
  const { seed = 1, inputShape = [32, 32, 3], classes = 10 } = options;
  const init = (offset: number) => tfl.initializers.glorotUniform({ seed: seed + offset });
  const model = tfl.sequential();
  [32, 48, 64, 80, 96, 112].forEach((filters, index) => {
    model.add(
      tfl.layers.conv2d({
        ...(index === 0 ? { inputShape } : {}),
        filters,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(index),
      }),
    );
    model.add(tfl.layers.batchNormalization());
    if (index % 2 === 1) model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  });
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 512, activation: 'relu', kernelInitializer: init(10) }));
  model.add(tfl.layers.batchNormalization());
  model.add(
    tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(11) }),
  );
  return model;
}
