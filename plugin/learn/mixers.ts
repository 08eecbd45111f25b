/**
 * Mixers: how per-agent utilities Q_a become the value the TD loss is taken on.
 *
 * - `qmix`: Q_tot = ELU(q . |W1(s)| + b1(s)) . |W2(s)| + V(s), where W1, W2
 *   and b1 come from hypernetworks of the global state s and V(s) is a 2-layer
 *   ReLU net. |.| (or softplus) keeps dQ_tot/dQ_a >= 0, so per-agent argmaxes
 *   are the joint argmax. (pymarl `modules/mixers/qmix.py`.)
 * - `vdn`: Q_tot = sum_a Q_a.
 * - `none`: independent Q-learning; every agent keeps its own TD target.
 */
import * as tf from './tf.js';
import { linear } from './linear.js';
import type { MixerShape } from './mixer-specs.js';
import type { ParamSet } from './params.js';

export { mixerOutputs, mixerParamSpecs, type MixerShape } from './mixer-specs.js';

/**
 * Mixes utilities.
 * @param qs chosen utilities `[rows, nAgents]`
 * @param states global states `[rows, stateSize]` (unused by vdn/none)
 * @returns `[rows, mixerOutputs(shape)]`
 * @example
 * ```ts
 * const qTot = tf.tidy(() => mixForward(shape, mixerParams, chosenQs, states)); // [rows, 1]
 * ```
 */
export function mixForward(s: MixerShape, p: ParamSet, qs: tf.Tensor2D, states: tf.Tensor2D): tf.Tensor2D {
  if (s.kind === 'none') return qs;
  if (s.kind === 'vdn') return tf.sum(qs, 1, true) as tf.Tensor2D;
  const rows = qs.shape[0];
  const { embedDim: E, nAgents: N } = s;
  const layer = (name: string, x: tf.Tensor2D, activation?: 'relu'): tf.Tensor2D => linear(x, p.get(`${name}.w`), p.get(`${name}.b`), activation);
  const hyper = (name: string): tf.Tensor2D =>
    s.hypernetLayers === 1 ? layer(`mixer.${name}`, states) : layer(`mixer.${name}.1`, layer(`mixer.${name}.0`, states, 'relu'));
  const positive = (x: tf.Tensor2D): tf.Tensor2D => (s.nonNegative === 'abs' ? tf.abs(x) : tf.softplus(x));

  // Per-row products written as broadcast multiply + sum rather than batched
  // matmuls of [1, N] x [N, E]: same numbers, and a cheap gradient.
  const w1 = tf.reshape(positive(hyper('hyperW1')), [rows, N, E]); // [rows, N, E]
  const b1 = layer('mixer.hyperB1', states); // [rows, E]
  const hidden = tf.elu(tf.add(tf.sum(tf.mul(tf.reshape(qs, [rows, N, 1]), w1), 1), b1)); // [rows, E]
  const w2 = positive(hyper('hyperW2')); // [rows, E]
  const v = layer('mixer.v.1', layer('mixer.v.0', states, 'relu')); // [rows, 1]
  return tf.add(tf.sum(tf.mul(hidden, w2), 1, true), v) as tf.Tensor2D; // [rows, 1]
}
