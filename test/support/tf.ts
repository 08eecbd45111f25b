// Shared tfjs set-up for tests: the wasm backend (the Node default).
import * as tf from '../../plugin/learn/tf.js';
import { useBackend, type ParamSet } from '../../plugin/learn/index.js';

await useBackend('wasm');

export { tf };

/** Overwrites every weight of a parameter set: `fill(name, size)` gives the values. */
export function setWeights(p: ParamSet, fill: (name: string, size: number) => number[] | Float32Array): void {
  const current = p.read();
  const next: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, w] of Object.entries(current)) next[name] = { shape: w.shape, data: Float32Array.from(fill(name, w.data.length)) };
  p.write(next);
}
