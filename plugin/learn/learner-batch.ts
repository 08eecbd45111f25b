/**
 * One batch as the learner's tfjs path takes it (tensors, disposed after the
 * update), and the unavailable-action penalty both update paths use.
 */
import * as tf from './tf.js';
import type { AgentInputs } from './agent-net.js';
import type { EpisodeBatch } from '../core/replay.js';
import { demoMarginArrays } from './demo-loss.js';
import { bootstrapEnds } from './targets.js';

/** pymarl's value for "unavailable" before a max / argmax: added to an unavailable action's utility. */
export const UNAVAILABLE = -9999999;

/** Tensors of one batch (disposed after the update). */
export interface BatchTensors {
  readonly T: number;
  readonly B: number;
  readonly inputs: AgentInputs; // [T+1, B * N, in]
  readonly states: tf.Tensor3D; // [T+1, B, S]
  readonly actionsOneHot: tf.Tensor3D; // [T, B * N, A]
  readonly nextPenalty: tf.Tensor3D; // [T, B * N, A] 0 or UNAVAILABLE, for steps 1..T
  readonly rewards: tf.Tensor2D; // [T, B]
  readonly filled: tf.Tensor2D;
  readonly terminated: tf.Tensor2D;
  readonly bootEnd: tf.Tensor2D;
  readonly realSteps: number;
  /** Largest |reward| the update trains on (after standardisation), for the divergence guard. */
  readonly rewardAbsMax: number;
  /** The large-margin loss on demonstration rows, when on: margins (UNAVAILABLE on actions not available) and the rows it covers. */
  readonly demo: { readonly margins: tf.Tensor3D; readonly mask: tf.Tensor2D; readonly count: number } | null;
}

/**
 * `[T, B * N, A]`: 0 for available actions of steps 1..T, UNAVAILABLE for
 * the others (padded steps, with none available, stay 0 so no huge numbers
 * reach the masked-out targets).
 * @example
 * ```ts
 * const penalty = nextPenalty(batch); // added to next-step utilities before an argmax
 * ```
 */
export function nextPenalty(batch: EpisodeBatch): Float32Array {
  const { maxT: T, batchSize: B, nAgents: N, nActions: A } = batch;
  const rows = B * N;
  const penalty = new Float32Array(T * rows * A);
  const availNext = batch.avail.subarray(rows * A); // steps 1..T
  for (let r = 0; r < T * rows; r++) {
    let any = false;
    for (let u = 0; u < A; u++) any ||= availNext[r * A + u] !== 0;
    if (any) for (let u = 0; u < A; u++) penalty[r * A + u] = availNext[r * A + u] !== 0 ? 0 : UNAVAILABLE;
  }
  return penalty;
}

/**
 * Builds the batch's tensors (masks, one-hots and penalties are made in JS)
 * around its agent inputs and the rewards the update trains on; the
 * large-margin loss's tensors when `demoRows` > 0.
 * @example
 * ```ts
 * const bt = batchTensors(batch, { inputs, rewards, rewardAbsMax, demoRows: 0, demoMargin: 0.8 });
 * ```
 */
export function batchTensors(batch: EpisodeBatch, o: { readonly inputs: AgentInputs; readonly rewards: Float32Array; readonly rewardAbsMax: number; readonly demoRows: number; readonly demoMargin: number }): BatchTensors {
  const { batchSize: B, maxT: T, nAgents: N, nActions: A, stateSize: S } = batch;
  const rows = B * N;
  const oneHot = new Float32Array(T * rows * A);
  for (let i = 0; i < T * rows; i++) oneHot[i * A + batch.actions[i]] = batch.filled[Math.floor(i / N)];
  let realSteps = 0;
  for (let i = 0; i < T * B; i++) realSteps += batch.filled[i];
  let demo: BatchTensors['demo'] = null;
  if (o.demoRows > 0) {
    const d = demoMarginArrays(batch, o.demoRows, o.demoMargin, UNAVAILABLE);
    demo = { margins: tf.tensor3d(d.margins, [d.T, d.rows, d.A]), mask: tf.tensor2d(d.mask, [d.T, d.rows]), count: d.count };
  }
  return {
    T,
    B,
    inputs: o.inputs,
    states: tf.tensor3d(batch.state, [T + 1, B, S]),
    actionsOneHot: tf.tensor3d(oneHot, [T, rows, A]),
    nextPenalty: tf.tensor3d(nextPenalty(batch), [T, rows, A]),
    rewards: tf.tensor2d(o.rewards, [T, B]),
    filled: tf.tensor2d(batch.filled, [T, B]),
    terminated: tf.tensor2d(batch.terminated, [T, B]),
    bootEnd: tf.tensor2d(bootstrapEnds(batch.filled, batch.terminated, T, B), [T, B]),
    realSteps,
    rewardAbsMax: o.rewardAbsMax,
    demo,
  };
}

/**
 * Disposes a batch's tensors.
 * @example
 * ```ts
 * try { step(bt); } finally { disposeBatch(bt); }
 * ```
 */
export function disposeBatch(bt: BatchTensors): void {
  bt.inputs.dispose();
  for (const t of [bt.states, bt.actionsOneHot, bt.nextPenalty, bt.rewards, bt.filled, bt.terminated, bt.bootEnd]) t.dispose();
  bt.demo?.margins.dispose();
  bt.demo?.mask.dispose();
}
