import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './backend-error.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Registers `Conv2DBackpropFilter` for the wasm backend, which tfjs-backend-wasm 4.22 lacks (so
 * a Conv2D cannot be trained on wasm). The filter gradient is assembled from wasm kernels that do
 * exist: for each kernel offset (i, j), the shifted input patch, flattened to `[rows, inChannels]`,
 * times dy flattened to `[rows, outChannels]`. Stride 1, dilation 1, NHWC only (the common
 * `padding: 'same'` or `'valid'` Conv2D); anything else throws `INVALID_OPTION` when its gradient
 * is taken. {@link selectBackend} calls it when it picks wasm. Does nothing when the kernel is
 * already registered.
 */
export function registerWasmConv2DBackpropFilter(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: (args: KernelArgs) => {
      const { inputs, attrs } = args;
      const backend = args.backend as tf.KernelBackend;
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
        strides: [number, number] | number;
        pad: 'same' | 'valid' | number;
        dataFormat: 'NHWC' | 'NCHW';
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
        filterShape: [number, number, number, number];
      };
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        pad,
        dimRoundingMode,
        false,
        tf.backend_util.convertConv2DDataFormat(dataFormat),
      );
      if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dataFormat !== 'channelsLast') {
        throw new BackendError({
          code: 'INVALID_OPTION',
          message:
            'the wasm Conv2DBackpropFilter shim supports stride 1 and NHWC only; train this model on the cpu backend',
        });
      }
      const run = (name: string, kernelInputs: unknown, kernelAttrs: object) =>
        (tf.getKernel(name, 'wasm') as tf.KernelConfig).kernelFunc({
          inputs: kernelInputs as tf.NamedTensorInfoMap,
          attrs: kernelAttrs as tf.NamedAttrMap,
          backend,
        }) as tf.TensorInfo;
      const temporary: tf.TensorInfo[] = [];
      const keep = (info: tf.TensorInfo) => {
        temporary.push(info);
        return info;
      };
      const { top, bottom, left, right } = info.padInfo;
      const [batch, outHeight, outWidth, inChannels, outChannels] = [
        info.batchSize,
        info.outHeight,
        info.outWidth,
        info.inChannels,
        info.outChannels,
      ];
      const rows = batch * outHeight * outWidth;
      const padded = keep(
        run(
          'PadV2',
          { x },
          {
            paddings: [
              [0, 0],
              [top, bottom],
              [left, right],
              [0, 0],
            ],
            constantValue: 0,
          },
        ),
      );
      const dyRows = keep(run('Reshape', { x: dy }, { shape: [1, rows, outChannels] }));
      const parts: tf.TensorInfo[] = [];
      for (let i = 0; i < info.filterHeight; i++) {
        for (let j = 0; j < info.filterWidth; j++) {
          const patch = keep(
            run(
              'Slice',
              { x: padded },
              { begin: [0, i, j, 0], size: [batch, outHeight, outWidth, inChannels] },
            ),
          );
          const patchRows = keep(run('Reshape', { x: patch }, { shape: [1, rows, inChannels] }));
          // A contiguous transpose first: wasm's matmul reads a transposed operand slowly.
          const patchColumns = keep(run('Transpose', { x: patchRows }, { perm: [0, 2, 1] }));
          parts.push(
            keep(
              run(
                'BatchMatMul',
                { a: patchColumns, b: dyRows },
                { transposeA: false, transposeB: false },
              ),
            ),
          );
        }
      }
      const stacked = keep(run('Concat', parts, { axis: 0 }));
      const result = run('Reshape', { x: stacked }, { shape: filterShape });
      for (const tensor of temporary) backend.disposeData(tensor.dataId);
      return result;
    },
  });
}
