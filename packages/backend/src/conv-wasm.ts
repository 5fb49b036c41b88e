import { convWasmBase64 } from './conv-wasm-binary.js';
import { decodeBase64 } from './dense-wasm.js';

/** The geometry of one NHWC convolution, as wasm/conv.c's `Conv` struct reads it. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** The field order of wasm/conv.c's `Conv` struct (int32 each), then `blockRows`. */
const fields: (keyof ConvGeometry)[] = [
  'batch',
  'inHeight',
  'inWidth',
  'inChannels',
  'outHeight',
  'outWidth',
  'outChannels',
  'filterHeight',
  'filterWidth',
  'strideHeight',
  'strideWidth',
  'dilationHeight',
  'dilationWidth',
  'padTop',
  'padLeft',
];

interface ConvExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  conv2d_forward(s: number, x: number, filter: number, y: number, cols: number): void;
  conv2d_backprop_filter(s: number, x: number, dy: number, dFilter: number, cols: number): void;
  conv2d_backprop_input(
    s: number,
    dy: number,
    filter: number,
    dx: number,
    filterT: number,
    cols: number,
  ): void;
  depthwise_backprop_input(s: number, dy: number, filter: number, dx: number): void;
  depthwise_backprop_filter(s: number, x: number, dy: number, dFilter: number): void;
}

/** The conv kernels' names, each with its operands: float32 arrays in, one array out. */
export type ConvOperation =
  | 'conv2d_forward'
  | 'conv2d_backprop_filter'
  | 'conv2d_backprop_input'
  | 'depthwise_backprop_input'
  | 'depthwise_backprop_filter';

// im2col blocks of about 256 KiB: they stay in L2 while the GEMM streams the filter past them.
const blockFloats = 65_536;

/**
 * Runs wasm/conv.c's kernels in one module instance with its own memory: inputs are copied in,
 * the kernel runs, and the output is copied into `out` (for tfjs-wasm, a view of its heap).
 */
export class ConvWasm {
  private constructor(private readonly kernels: ConvExports) {}

  /** Compiles (asynchronously, as browsers require) and instantiates the module. */
  static async create(): Promise<ConvWasm> {
    const bytes = decodeBase64(convWasmBase64) as Uint8Array<ArrayBuffer>;
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new ConvWasm(instance.exports as unknown as ConvExports);
  }

  /**
   * Runs one kernel. `inputs` are its array operands in the C signature's order; `out` receives
   * the result.
   */
  run(
    operation: ConvOperation,
    geometry: ConvGeometry,
    inputs: Float32Array[],
    out: Float32Array,
  ): void {
    const k = geometry.filterHeight * geometry.filterWidth * geometry.inChannels;
    const blockRows = Math.max(4, Math.floor(blockFloats / k / 4) * 4);
    const outCount = out.length;
    const scratch: number[] = [];
    if (operation === 'conv2d_backprop_input') scratch.push(k * geometry.outChannels);
    if (operation.startsWith('conv2d')) scratch.push(blockRows * k);
    // Layout: the struct, the inputs, the output, then the scratch buffers, 16-byte aligned.
    const sizes = [
      16 * 4,
      ...inputs.map((a) => a.length * 4),
      outCount * 4,
      ...scratch.map((n) => n * 4),
    ];
    const offsets: number[] = [];
    let end = this.kernels.__heap_base.value as number;
    for (const size of sizes) {
      end = Math.ceil(end / 16) * 16;
      offsets.push(end);
      end += size;
    }
    const memory = this.kernels.memory;
    if (end > memory.buffer.byteLength) {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65_536));
    }
    const ints = new Int32Array(memory.buffer, offsets[0], 16);
    fields.forEach((field, i) => {
      ints[i] = geometry[field];
    });
    ints[fields.length] = blockRows;
    inputs.forEach((array, i) => {
      new Float32Array(memory.buffer, offsets[i + 1], array.length).set(array);
    });
    const call = this.kernels[operation] as (...pointers: number[]) => void;
    call(...(offsets as number[]));
    const outOffset = offsets[inputs.length + 1] as number;
    out.set(new Float32Array(memory.buffer, outOffset, outCount));
  }
}
