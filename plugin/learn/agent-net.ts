/**
 * The agent network, one set of weights shared by every agent (pymarl's
 * RNNAgent, or a feed-forward variant). All agents of all episodes go through
 * it together: rows are (episode, agent) pairs, so there is no per-agent loop;
 * the GRU loops over time only.
 *
 * GRU equations are PyTorch's GRUCell, gates in the order r, z, n:
 *   r = sigmoid(x W_ir + b_ir + h W_hr + b_hr)
 *   z = sigmoid(x W_iz + b_iz + h W_hz + b_hz)
 *   n = tanh(x W_in + b_in + r * (h W_hn + b_hn))
 *   h' = (1 - z) * n + z * h
 */
import * as tf from '@tensorflow/tfjs';
import type { AgentKind } from '../core/config.js';
import { linearSpecs, type ParamSet, type ParamSpec } from './params.js';

/** Sizes of the agent network. */
export interface AgentNetShape {
  readonly kind: AgentKind;
  readonly inputSize: number;
  readonly hiddenDim: number;
  readonly nActions: number;
}

/**
 * Parameter specs, in a fixed order that the policy file keeps:
 * - gru: fc1 [in, H], gru.wih [H, 3H], gru.bih [3H], gru.whh [H, 3H], gru.bhh [3H], fc2 [H, A]
 * - mlp: fc1 [in, H], fc2 [H, H], fc3 [H, A]
 * @example
 * ```ts
 * const params = ParamSet.create(agentParamSpecs({ kind: 'gru', inputSize: 38, hiddenDim: 64, nActions: 5 }), new Rng(0));
 * ```
 */
export function agentParamSpecs(s: AgentNetShape): ParamSpec[] {
  const H = s.hiddenDim;
  if (s.kind === 'mlp') {
    return [...linearSpecs('agent.fc1', s.inputSize, H), ...linearSpecs('agent.fc2', H, H), ...linearSpecs('agent.fc3', H, s.nActions)];
  }
  // torch GRUCell initialises every weight and bias uniform in +-1/sqrt(hidden).
  const g = 1 / Math.sqrt(H);
  return [
    ...linearSpecs('agent.fc1', s.inputSize, H),
    { name: 'agent.gru.wih', shape: [H, 3 * H], bound: g },
    { name: 'agent.gru.bih', shape: [3 * H], bound: g },
    { name: 'agent.gru.whh', shape: [H, 3 * H], bound: g },
    { name: 'agent.gru.bhh', shape: [3 * H], bound: g },
    ...linearSpecs('agent.fc2', H, s.nActions),
  ];
}

/** Output of {@link agentForward}. */
export interface AgentOutput {
  /** Q-values `[steps, rows, nActions]`. */
  readonly q: tf.Tensor3D;
  /** GRU hidden state after the last step `[rows, H]` (null for the MLP). */
  readonly hidden: tf.Tensor2D | null;
}

/**
 * Runs the agent network over `steps` time steps of `rows` agents.
 * @param x inputs `[steps * rows, inputSize]`, time-major (row r of step t at t * rows + r)
 * @param h0 GRU hidden state `[rows, H]` before the first step; zeros when omitted
 * @example
 * ```ts
 * const { q } = tf.tidy(() => agentForward(shape, params, x, T + 1, B * nAgents)); // q: [T + 1, B * nAgents, nActions]
 * ```
 */
export function agentForward(
  shape: AgentNetShape,
  p: ParamSet,
  x: tf.Tensor2D,
  steps: number,
  rows: number,
  h0?: tf.Tensor2D | null,
): AgentOutput {
  const H = shape.hiddenDim;
  // [steps * rows, H]
  const fc1 = tf.fused.matMul({ a: x, b: p.get('agent.fc1.w'), bias: p.get('agent.fc1.b'), activation: 'relu' });
  if (shape.kind === 'mlp') {
    const fc2 = tf.fused.matMul({ a: fc1, b: p.get('agent.fc2.w'), bias: p.get('agent.fc2.b'), activation: 'relu' });
    const q = tf.fused.matMul({ a: fc2, b: p.get('agent.fc3.w'), bias: p.get('agent.fc3.b') });
    return { q: tf.reshape(q, [steps, rows, shape.nActions]), hidden: null };
  }
  // Input projections of every step in one matmul, then split once by gate
  // group: [steps, rows, 2H] for r|z and [steps, rows, H] for n.
  const gx = tf.fused.matMul({ a: fc1, b: p.get('agent.gru.wih'), bias: p.get('agent.gru.bih') });
  const [gxRZ, gxN] = tf.split(tf.reshape(gx, [steps, rows, 3 * H]), [2 * H, H], 2);
  const xRZ = tf.unstack(gxRZ) as tf.Tensor2D[];
  const xN = tf.unstack(gxN) as tf.Tensor2D[];
  const whh = p.get('agent.gru.whh');
  const bhh = p.get('agent.gru.bhh');
  let h: tf.Tensor2D = h0 ?? tf.zeros([rows, H]);
  const hs: tf.Tensor2D[] = [];
  for (let t = 0; t < steps; t++) {
    // All three hidden-side gate projections in one matmul: [rows, 3H].
    const gh = tf.fused.matMul({ a: h, b: whh, bias: bhh });
    const [hRZ, hN] = tf.split(gh, [2 * H, H], 1);
    const rz = tf.sigmoid(tf.add(xRZ[t], hRZ));
    const [r, z] = tf.split(rz, 2, 1);
    const n = tf.tanh(tf.add(xN[t], tf.mul(r, hN)));
    // (1 - z) * n + z * h  ==  n + z * (h - n)
    h = tf.add(n, tf.mul(z, tf.sub(h, n))) as tf.Tensor2D;
    hs.push(h);
  }
  const all = tf.reshape(tf.stack(hs), [steps * rows, H]);
  const q = tf.fused.matMul({ a: all, b: p.get('agent.fc2.w'), bias: p.get('agent.fc2.b') });
  return { q: tf.reshape(q, [steps, rows, shape.nActions]), hidden: h };
}
