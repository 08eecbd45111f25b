/**
 * Where tfjs's wasm backend finds its WebAssembly files: the option's type
 * and its check, kept free of tfjs so the page side (the worker client,
 * which checks options before starting a worker) can use them.
 */

/** The WebAssembly files of the wasm backend; tfjs picks one by what the runtime supports. */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

/**
 * Where the wasm backend fetches its WebAssembly: a URL prefix (a folder
 * holding all three files), or one URL for each of the three files (what a
 * bundler's `import url from '...wasm?url'` gives). Absent: next to the script.
 */
export type WasmPaths = string | { readonly [file in (typeof WASM_FILES)[number]]: string };

/**
 * Throws naming the problem when `paths` is neither a prefix nor a map of the known file names to URLs.
 * @example
 * ```ts
 * checkWasmPaths('/wasm/'); // fine
 * checkWasmPaths({ 'tfjs-backend-wasm.wasm': a, 'tfjs-backend-wasm-simd.wasm': b, 'tfjs-backend-wasm-threaded-simd.wasm': c }); // fine
 * ```
 */
export function checkWasmPaths(paths: unknown): asserts paths is WasmPaths {
  if (typeof paths === 'string') return;
  if (paths === null || typeof paths !== 'object' || Array.isArray(paths)) throw new TypeError(`wasmPaths must be a URL prefix or a map of ${WASM_FILES.join(', ')} to URLs, got ${JSON.stringify(paths)}`);
  for (const [file, url] of Object.entries(paths)) {
    if (!(WASM_FILES as readonly string[]).includes(file)) throw new TypeError(`wasmPaths names an unknown file ${JSON.stringify(file)}: the files are ${WASM_FILES.join(', ')}`);
    if (typeof url !== 'string') throw new TypeError(`wasmPaths[${JSON.stringify(file)}] must be a URL string, got ${JSON.stringify(url)}`);
  }
  // tfjs picks the file at run time (SIMD, threads), so a map must say where each one is.
  const missing = WASM_FILES.filter((f) => !Object.hasOwn(paths, f));
  if (missing.length > 0) throw new TypeError(`wasmPaths as a map needs a URL for each file; it lacks ${missing.join(', ')}`);
}

