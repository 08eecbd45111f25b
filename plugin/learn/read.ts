/**
 * Reading a tensor computed in a tidy scope back into JS.
 *
 * Why a helper: `tf.tidy` walks whatever its function returns, looking for
 * tensors to keep, and a Float32Array is walked element by element: returning
 * the `dataSync()` of a [4896, 192] result from a tidy took about 400 ms here,
 * against 7 ms for the matmul itself. So the data leaves the scope through a
 * closure and the tidy returns nothing.
 */
import * as tf from './tf.js';

/**
 * Runs `fn` in a tidy scope and returns its result's values (a copy).
 * @example
 * ```ts
 * const q = readTidy(() => tf.matMul(x, w)); // Float32Array, no tensor left behind
 * ```
 */
export function readTidy(fn: () => tf.Tensor): Float32Array {
  let out: Float32Array | null = null;
  tf.tidy(() => {
    out = fn().dataSync() as Float32Array;
  });
  return out!;
}

/**
 * A tensor of values the kernel left in its memory (a view, valid until the
 * kernel's next call) or in an array of their own. tfjs-wasm copies what it
 * is given into its own heap at once, so a view will do there; the cpu
 * backend keeps the very array, so it gets a copy.
 * @example
 * ```ts
 * const q = kernelTensor(mem.subarray(qAt / 4, qAt / 4 + m * A), [m, A]);
 * ```
 */
export function kernelTensor(values: Float32Array, shape: number[]): tf.Tensor {
  return tf.tensor(tf.getBackend() === 'wasm' ? values : values.slice(), shape);
}
