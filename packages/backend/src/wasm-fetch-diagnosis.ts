/** The binaries tfjs-backend-wasm fetches; `setWasmPaths` with a map needs all three. */
export const wasmBinaryNames = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

/** Where the `.wasm` binaries are: a folder URL (prefix) or one URL per binary name. */
export type WasmPaths = string | { [binaryName: string]: string };

/** The WebAssembly magic bytes `\0asm`. */
const wasmMagic = [0x00, 0x61, 0x73, 0x6d];

/**
 * In a page, finds out why tfjs-backend-wasm could not start, which tfjs itself only logs: fetches
 * the SIMD binary from where tfjs looks for it (the `wasmPaths` given, else beside the page) and
 * says what came back. Returns null outside a page, where there is nothing to fetch.
 */
export async function diagnoseWasmFetch(wasmPaths: WasmPaths | undefined): Promise<string | null> {
  if (typeof location === 'undefined' || typeof fetch !== 'function') return null;
  const name = 'tfjs-backend-wasm-simd.wasm';
  const url =
    typeof wasmPaths === 'object'
      ? new URL(wasmPaths[name] ?? name, location.href).href
      : new URL(`${wasmPaths ?? ''}${name}`, location.href).href;
  const fix = wasmPaths
    ? 'check that the wasmPaths given point at the files of the installed @tensorflow/tfjs-backend-wasm'
    : "bundlers do not copy tfjs-backend-wasm's .wasm files: import them with ?url and pass them as selectBackend('wasm', { wasmPaths }) (see @actlab/backend's README, \"In the browser\")";
  try {
    const response = await fetch(url);
    const head = new Uint8Array((await response.arrayBuffer()).slice(0, 4));
    if (!response.ok) return `GET ${url} answered HTTP ${response.status}: ${fix}`;
    if (wasmMagic.some((byte, i) => head[i] !== byte)) {
      const type = response.headers.get('content-type') ?? 'no content type';
      return `GET ${url} answered ${type}, not WebAssembly (a dev server's page fallback?): ${fix}`;
    }
    return `${url} is reachable WebAssembly, so the engine refused to start it (see the warnings tfjs printed above)`;
  } catch (cause) {
    return `GET ${url} failed (${(cause as Error).message}): ${fix}`;
  }
}
