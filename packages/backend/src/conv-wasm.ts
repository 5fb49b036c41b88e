import { convWasmBase64 } from './conv-wasm-binary.js';
import { decodeBase64 } from './dense-wasm.js';

/** The exported kernels of wasm/conv.c; each takes its header struct, arrays, then scalars. */
export type ConvOperation =
  | 'conv2d_forward'
  | 'conv2d_forward_fused'
  | 'conv2d_backprop_filter'
  | 'conv2d_backprop_input'
  | 'depthwise_backprop_input'
  | 'depthwise_backprop_filter'
  | 'tile_repeat'
  | 'column_reduce'
  | 'maxpool_backprop'
  | 'leaky_relu_backprop'
  | 'batchnorm_backprop'
  | 'leaky_relu'
  | 'broadcast_rows'
  | 'batchnorm_forward';

/** One call of a wasm/conv.c kernel. */
export interface ConvCall {
  operation: ConvOperation;
  /** The kernel's header struct, as int32 fields in the C struct's order. */
  header: number[];
  /** Its input arrays, in the C signature's order. */
  inputs: Float32Array[];
  /** Receive the results, in the C signature's order (for tfjs-wasm, views of its heap). */
  outputs: Float32Array[];
  /** Sizes (floats) of the scratch buffers that follow the outputs in the C signature. */
  scratch?: number[];
  /** Scalar arguments after the pointers. */
  scalars?: number[];
}

/** Runs {@link ConvCall}s: the WebAssembly module below, or the same C built natively. */
export interface ConvRunner {
  readonly name: 'native' | 'wasm';
  /** Runs one kernel (see {@link ConvCall}). */
  run(call: ConvCall): void;
}

/**
 * Runs wasm/conv.c's kernels in one module instance with its own memory: the inputs are copied
 * in, the kernel runs, and the output is copied out. The copies cost O(n) against the
 * convolutions' O(n·k²·channels); in exchange the module needs nothing from tfjs-wasm's internals
 * but its heap views.
 */
export class ConvWasm implements ConvRunner {
  readonly name = 'wasm';

  private constructor(private readonly exports: WebAssembly.Exports) {}

  /** Compiles (asynchronously, as browsers require) and instantiates the module. */
  static async create(): Promise<ConvWasm> {
    const bytes = decodeBase64(convWasmBase64) as Uint8Array<ArrayBuffer>;
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new ConvWasm(instance.exports);
  }

  /** Runs one kernel (see {@link ConvCall}). */
  run(call: ConvCall): void {
    const { header, inputs, outputs, scratch = [], scalars = [] } = call;
    const memory = this.exports.memory as WebAssembly.Memory;
    // Layout after the module's own data: header, inputs, outputs, scratch; 16-byte aligned.
    const arrays = [...inputs, ...outputs];
    const sizes = [header.length, ...arrays.map((a) => a.length), ...scratch];
    const offsets: number[] = [];
    let end = (this.exports.__heap_base as WebAssembly.Global).value as number;
    for (const size of sizes) {
      end = Math.ceil(end / 16) * 16;
      offsets.push(end);
      end += size * 4;
    }
    if (end > memory.buffer.byteLength) {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65_536));
    }
    new Int32Array(memory.buffer, offsets[0], header.length).set(header);
    arrays.forEach((array, i) => {
      new Float32Array(memory.buffer, offsets[i + 1], array.length).set(array);
    });
    const kernel = this.exports[call.operation] as (...args: number[]) => void;
    kernel(...offsets, ...scalars);
    outputs.forEach((out, i) => {
      out.set(new Float32Array(memory.buffer, offsets[inputs.length + 1 + i], out.length));
    });
  }
}
