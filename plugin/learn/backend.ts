/**
 * tfjs backend selection. Node defaults to `wasm` (there is no tfjs-node
 * here: its install downloads a binary); `cpu` is the slow pure-JS reference.
 * The browser worker (a later layer) adds `webgl` and `auto`.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

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
export async function useBackend(name: BackendName, opts: { wasmPaths?: string } = {}): Promise<void> {
  if (name !== 'wasm' && name !== 'cpu' && name !== 'webgl') {
    throw new Error(`unknown tfjs backend ${JSON.stringify(name)}: expected "wasm", "cpu" or "webgl"`);
  }
  if (tf.getBackend() === name) return;
  // In a browser the .wasm binaries must be fetched from wherever the game serves them.
  if (name === 'wasm' && opts.wasmPaths && !wasmPathsSet) {
    setWasmPaths(opts.wasmPaths);
    wasmPathsSet = true;
  }
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new Error(`tfjs backend "${name}" failed to initialise: ${(e as Error).message}`);
  }
  if (!ok) throw new Error(`tfjs backend "${name}" failed to initialise`);
  await tf.ready();
}

let wasmPathsSet = false;

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
