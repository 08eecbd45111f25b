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

/** tfjs-wasm's internals this module reads (4.22: a data id's offset in the heap). */
interface WasmBackendInternals {
  readonly dataIdMap?: { get(id: object): { readonly memoryOffset?: number | null } | undefined };
  readonly wasm?: { readonly HEAPU8?: Uint8Array };
}

/**
 * A float32 tensor's values as a fresh array: on tfjs-wasm copied straight
 * out of its heap, elsewhere (or with unknown internals) by `dataSync`.
 *
 * Why: `dataSync` on wasm goes through the engine's checks and bookkeeping,
 * about 18 us a call here, more than copying a layer's weights; the
 * optimiser reads every variable once an update. Read only: writing into
 * tfjs-wasm's heap would go unseen by its caches (XNNPACK keeps packed copies
 * of matmul weights by tensor id), so results are assigned as new tensors.
 * @example
 * ```ts
 * const values = copyValues(variable); // Float32Array of variable.size
 * ```
 */
export function copyValues(t: tf.Tensor): Float32Array {
  if (tf.getBackend() === 'wasm' && t.dtype === 'float32') {
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const d = backend.dataIdMap?.get(t.dataId);
    const heap = backend.wasm?.HEAPU8;
    if (d && heap && typeof d.memoryOffset === 'number' && d.memoryOffset % 4 === 0) return new Float32Array(heap.buffer, d.memoryOffset, t.size).slice();
  }
  return (t.dataSync() as Float32Array).slice();
}

/** Values already read or written per tensor data (tfjs never changes a tensor's data in place: an assign gives a variable new data). */
const known = new WeakMap<object, Float32Array>();

/**
 * A float32 tensor's values, to read and never to change: the array kept
 * for its data when this module has seen it (read here before, or given by
 * {@link rememberValues}), else a copy, kept from now on. The host update
 * reads all four networks' weights every update, and the online ones are
 * what the optimiser has just written: 88k values copied each time before.
 * @example
 * ```ts
 * const w = readOnlyValues(variable); // do not write into w
 * ```
 */
export function readOnlyValues(t: tf.Tensor): Float32Array {
  const id = t.dataId as object;
  let values = known.get(id);
  if (!values || values.length !== t.size) {
    values = copyValues(t);
    known.set(id, values);
  }
  return values;
}

/**
 * Records `values` as the data `t` now holds (after assigning it from them),
 * so {@link readOnlyValues} need not copy it back; the caller must not change
 * `values` afterwards.
 * @example
 * ```ts
 * v.assign(tf.tensor(values, v.shape)); rememberValues(v, values);
 * ```
 */
export function rememberValues(t: tf.Tensor, values: Float32Array): void {
  if (values.length === t.size) known.set(t.dataId as object, values);
}
