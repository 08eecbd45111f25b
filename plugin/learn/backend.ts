/**
 * tfjs backend selection. Node defaults to `wasm` (there is no tfjs-node
 * here: its install downloads a binary); `cpu` is the slow pure-JS reference.
 * The browser worker (a later layer) adds `webgl` and `auto`.
 */
import * as tf from './tf.js';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { checkWasmPaths, WASM_FILES, type WasmPaths } from '../core/wasm-paths.js';

/** Backends the learner can run on. */
export type BackendName = 'wasm' | 'cpu' | 'webgl';

/**
 * Switches tfjs to `name` and waits until it is ready. Tensors made on
 * another backend stay valid (tfjs moves data on first use), but create
 * learners after choosing the backend so their variables live on it.
 *
 * @throws Error naming the backend when it cannot start.
 * @example
 * ```ts
 * await useBackend('wasm');
 * const learner = new QLearner(env.spec, { mixer: 'qmix' });
 * ```
 */
export async function useBackend(name: BackendName, opts: { wasmPaths?: WasmPaths } = {}): Promise<void> {
  if (name !== 'wasm' && name !== 'cpu' && name !== 'webgl') {
    throw new Error(`unknown tfjs backend ${JSON.stringify(name)}: expected "wasm", "cpu" or "webgl"`);
  }
  if (tf.getBackend() === name) return;
  // In a browser the .wasm binaries must be fetched from wherever the game serves them.
  if (name === 'wasm' && opts.wasmPaths !== undefined && wasmPathsSet === null) {
    checkWasmPaths(opts.wasmPaths);
    setWasmPaths(opts.wasmPaths);
    wasmPathsSet = opts.wasmPaths;
  }
  let ok = false;
  let why = '';
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    why = `: ${(e as Error).message}`;
  }
  if (!ok) {
    throw new Error(`tfjs backend "${name}" failed to initialise${why}${name === 'wasm' ? `. ${await wasmHint()}` : ''}`);
  }
  await tf.ready();
}

let wasmPathsSet: WasmPaths | null = null;

/** Which WebAssembly file the backend tried, from where, and how to point it elsewhere. */
async function wasmHint(): Promise<string> {
  let file: (typeof WASM_FILES)[number] = WASM_FILES[0];
  try {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    file = simd && threads ? WASM_FILES[2] : simd ? WASM_FILES[1] : WASM_FILES[0];
  } catch {
    /* the flags are unknown: name the plain file */
  }
  const from = wasmPathsSet === null ? 'next to the script (no wasmPaths given)' : typeof wasmPathsSet === 'string' ? `${wasmPathsSet}${file}` : wasmPathsSet[file];
  return (
    `It needs ${file}, looked for at ${from}. Serve the files of node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm and pass wasmPaths: ` +
    `a folder URL ending in "/" (e.g. '/wasm/') or a map of each of the three file names to its URL; backend "cpu" needs no files`
  );
}

/**
 * The active tfjs backend's name.
 * @example
 * ```ts
 * await useBackend('cpu');
 * currentBackend(); // 'cpu'
 * ```
 */
export function currentBackend(): string {
  return tf.getBackend();
}
