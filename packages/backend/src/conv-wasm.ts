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
  | 'maxpool_backprop';

/** One call of a wasm/conv.c kernel. */
export interface ConvCall {
  operation: ConvOperation;
  /** The kernel's header struct, as int32 fields in the C struct's order. */
  header: number[];
  /** Its input arrays, in the C signature's order. */
  inputs: Float32Array[];
  /** Receives the result (for tfjs-wasm, a view of its heap). */
  out: Float32Array;
  /** Sizes (floats) of the scratch buffers that follow the output in the C signature. */
  scratch?: number[];
  /** Scalar arguments after the pointers. */
  scalars?: number[];
}

/**
 * Runs wasm/conv.c's kernels in one module instance with its own memory: the inputs are copied
 * in, the kernel runs, and the output is copied out. The copies cost O(n) against the
 * convolutions' O(n·k²·channels); in exchange the module needs nothing from tfjs-wasm's internals
 * but its heap views.
 */
export class ConvWasm {
  private constructor(private readonly exports: WebAssembly.Exports) {}

  /** Compiles (asynchronously, as browsers require) and instantiates the module. */
  static async create(): Promise<ConvWasm> {
    const bytes = decodeBase64(convWasmBase64) as Uint8Array<ArrayBuffer>;
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new ConvWasm(instance.exports);
  }

  /** Runs one kernel (see {@link ConvCall}). */
  run(call: ConvCall): void {
    const { header, inputs, out, scratch = [], scalars = [] } = call;
    const memory = this.exports.memory as WebAssembly.Memory;
    // Layout after the module's own data: header, inputs, output, scratch; 16-byte aligned.
    const sizes = [header.length, ...inputs.map((a) => a.length), out.length, ...scratch];
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
    inputs.forEach((array, i) => {
      new Float32Array(memory.buffer, offsets[i + 1], array.length).set(array);
    });
    const kernel = this.exports[call.operation] as (...args: number[]) => void;
    kernel(...offsets, ...scalars);
    out.set(new Float32Array(memory.buffer, offsets[inputs.length + 1], out.length));
  }
}
