import { labelCounts, loadMnist, splitTrainValidation, take } from '@actlab/mnist-loader';

// Reads <ACTLAB_DATA_DIR>/mnist/*.gz (else the cache, /usr/share/datasets, then the mirrors).
const { train, test } = await loadMnist({ dataset: 'mnist' });
console.log(train.count, test.count, `${train.height}x${train.width}`, labelCounts(train));

const { validation } = splitTrainValidation(train, { validationFraction: 0.1, seed: 1 });
console.log('validation:', validation.count, 'first labels:', Array.from(take(train, 5).labels));
