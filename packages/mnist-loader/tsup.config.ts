import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    browser: 'src/browser.ts',
    tensors: 'src/tensors.ts',
    cifar10: 'src/cifar10.ts',
    'cifar10-browser': 'src/cifar10-browser.ts',
  },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Keep node: specifiers, so a browser bundler fails loudly instead of polyfilling them.
  removeNodeProtocol: false,
});
