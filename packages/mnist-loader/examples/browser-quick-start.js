import { labelCounts, loadMnist } from '@actlab/mnist-loader/browser';
import { toTensors } from '@actlab/mnist-loader/tensors';

// Serve the four original .gz files under /datasets/mnist/ (with Vite: public/datasets/mnist/).
const { train, test } = await loadMnist({ baseUrl: '/datasets/' });
console.log('MNIST', train.count, test.count, labelCounts(test));
const { xs, ys } = toTensors(test); // float32 [10000, 28, 28, 1] in [0, 1], one-hot [10000, 10]
console.log(xs.shape, ys.shape);
xs.dispose();
ys.dispose();
