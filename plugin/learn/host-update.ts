/**
 * The learner's gradient step without tfjs, for backends whose tensors live
 * in CPU memory (wasm, cpu) when the fused kernels run: the agent networks
 * and the QMIX mixer in the kernel (split with the helper thread when there
 * is one), and everything between them (chosen utilities, the double-Q
 * argmax, TD(lambda) targets, the masked TD loss and its gradient) as loops
 * over Float32Arrays.
 *
 * Why: after the kernels, an update was about 90 small tfjs ops and their
 * autodiff tape (about 4 ms of a 25 ms two-thread GRU update, all on the
 * learner's thread while the helper waits). As loops they take a fraction
 * of a millisecond.
 *
 * The loops follow the tfjs path op for op, rounding to float32 where it
 * does (`Math.fround`); sums (the loss, the statistics, the lambda-return's
 * product with U) accumulate in float64, so results equal the tfjs path's
 * within float32 rounding, not bit for bit. The tfjs path (learner.ts)
 * stays for WebGL, demonstrations' margin loss, softplus mixers and
 * `useFusedKernels(false)`; the tests compare the two.
 */
import type { AgentNetShape } from '../core/agent-arch.js';
import type { EpisodeBatch } from '../core/replay.js';
import { agentBackwardSplit, agentForwardSplit } from './fused-agent.js';
import { WEIGHTS } from './agent-rows.js';
import { mixBackwardSplit, mixForwardSplit } from './fused-mixer.js';
import { mixerOutputs, mixerParamSpecs, type MixerShape } from './mixers.js';
import type { ParamSet } from './params.js';
import type * as tf from './tf.js';
import { copyValues } from './read.js';
import { kernelSlot } from './wasm-kernel.js';

const f = Math.fround;

/** What one host step needs besides the batch. */
export interface HostStepNets {
  readonly agentShape: AgentNetShape;
  readonly mixerShape: MixerShape;
  readonly online: { readonly agent: ParamSet; readonly mixer: ParamSet };
  readonly target: { readonly agent: ParamSet; readonly mixer: ParamSet };
  readonly gamma: number;
  readonly lambda: number;
  readonly doubleQ: boolean;
  /** U of the lambda-return for the batch's T steps (`lambdaMatrix`), when lambda > 0. */
  readonly lambdaU: Float32Array | null;
}

/** The batch as arrays. */
export interface HostStepBatch {
  readonly batch: EpisodeBatch;
  /** Agent inputs `[T + 1, B * N, inputSize]` (`buildBatchInputs`). */
  readonly inputs: Float32Array;
  /** Rewards `[T, B]` as trained on (standardised or raw). */
  readonly rewards: Float32Array;
  /** 0 or the unavailable-action penalty `[T, B * N, A]` for steps 1..T. */
  readonly nextPenalty: Float32Array;
  /** Marks of truncated episodes' last real steps `[T, B]` (`bootstrapEnds`). */
  readonly bootEnd: Float32Array;
}

/** Output of {@link hostGradientStep}. */
export interface HostStepResult {
  /** The loss's gradient for each online variable. */
  readonly grads: Map<tf.Variable, Float32Array>;
  readonly loss: number;
  readonly qTotMean: number;
  readonly targetMean: number;
  readonly tdErrorAbs: number;
}

/**
 * Whether {@link hostGradientStep} runs this mixer: QMIX where the fused
 * mixer runs (`canFuse`), VDN and IQL always.
 * @example
 * ```ts
 * if (hostMixerOk(shape, canFuseMixer(shape))) console.log('host update');
 * ```
 */
export function hostMixerOk(s: MixerShape, canFuse: boolean): boolean {
  return s.kind === 'vdn' || s.kind === 'none' || canFuse;
}

function weightsOf(p: ParamSet, names: readonly string[]): Float32Array[] {
  return names.map((name) => copyValues(p.get(name)));
}

/** Q_tot `[rows, K]` of the online or target mixer; for QMIX also what its backward pass needs. */
function mixRows(n: HostStepNets, p: ParamSet, qs: Float32Array, states: Float32Array, keep: boolean) {
  const s = n.mixerShape;
  const N = s.nAgents;
  const rows = qs.length / N;
  if (s.kind === 'none') return { out: qs, fused: null };
  if (s.kind === 'vdn') {
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let acc = 0;
      for (let a = 0; a < N; a++) acc = f(acc + qs[r * N + a]);
      out[r] = acc;
    }
    return { out, fused: null };
  }
  const role = keep ? 'mixer' : 'scratch';
  const fused = mixForwardSplit(kernelSlot(role)!, role, s, states, qs, weightsOf(p, mixerParamSpecs(s).map((x) => x.name)), keep);
  return { out: fused.qTot.slice(), fused };
}

/**
 * One gradient step's loss, statistics and gradients (nothing is applied:
 * the optimiser does that). Only where the fused kernels run and
 * {@link hostMixerOk} holds.
 * @example
 * ```ts
 * const r = hostGradientStep(nets, { batch, inputs, rewards, nextPenalty, bootEnd });
 * optimizer.clipAndApplyHost(optimizer.variables.map((v) => r.grads.get(v)!), 10);
 * ```
 */
export function hostGradientStep(n: HostStepNets, b: HostStepBatch): HostStepResult {
  const { batch, inputs, rewards, nextPenalty, bootEnd } = b;
  const { batchSize: B, maxT: T, filled, terminated, actions } = batch;
  const { agentShape: shape, mixerShape: ms } = n;
  const N = ms.nAgents;
  const A = shape.nActions;
  const S = ms.stateSize;
  const K = mixerOutputs(ms);
  const rows = B * N;
  const names = WEIGHTS[shape.kind];
  const scratch = kernelSlot('scratch')!;
  const agentSlot = kernelSlot('agent')!;

  // Target utilities of every step (the GRU runs from step 0), then the online ones, kept for backward.
  const qTarget = agentForwardSplit(scratch, 'scratch', shape, inputs, T + 1, rows, weightsOf(n.target.agent, names), false).q;
  // The next value per agent [T, rows]: the target net at the online net's best available action (double Q), or its own best.
  const nextValue = new Float32Array(T * rows);
  const online = agentForwardSplit(agentSlot, 'agent', shape, inputs, T + 1, rows, weightsOf(n.online.agent, names), true);
  const qOnline = online.q.slice();
  for (let i = 0; i < T * rows; i++) {
    const next = (i + rows) * A; // step t + 1, same row
    const pen = i * A;
    if (n.doubleQ) {
      // tfjs's argMax: the first of equal maxima.
      let best = 0;
      let top = f(qOnline[next] + nextPenalty[pen]);
      for (let u = 1; u < A; u++) {
        const v = f(qOnline[next + u] + nextPenalty[pen + u]);
        if (v > top) {
          top = v;
          best = u;
        }
      }
      nextValue[i] = qTarget[next + best];
    } else {
      let top = -Infinity;
      for (let u = 0; u < A; u++) top = Math.max(top, f(qTarget[next + u] + nextPenalty[pen + u]));
      nextValue[i] = top;
    }
  }
  const statesNow = batch.state.subarray(0, T * B * S);
  const statesNext = batch.state.subarray(B * S, (T + 1) * B * S);
  // Chosen utilities [T * B, N] (zero on padded steps, as the one-hot of filled x action gives).
  const chosen = new Float32Array(T * rows);
  for (let i = 0; i < T * rows; i++) chosen[i] = filled[Math.floor(i / N)] === 1 ? qOnline[i * A + actions[i]] : 0;
  const mixed = mixRows(n, n.online.mixer, chosen, statesNow, true);
  const mixedNext = mixRows(n, n.target.mixer, nextValue, statesNext, false).out;
  const y = tdTargets(mixedNext, rewards, filled, terminated, bootEnd, T, B, K, n);

  // Masked TD error, the loss and its gradient: d/dmixed sum(td^2) / denom = 2 td mask / denom.
  const denom = batch.filled.reduce((s, x) => s + x, 0) * K;
  const inv = f(1 / denom);
  const dMixed = new Float32Array(T * B * K);
  let loss = 0;
  let qTot = 0;
  let target = 0;
  let tdAbs = 0;
  for (let i = 0; i < T * B * K; i++) {
    const mask = filled[Math.floor(i / K)];
    const td = f(f(mixed.out[i] - y[i]) * mask);
    loss += td * td;
    qTot += mixed.out[i] * mask;
    target += y[i] * mask;
    tdAbs += Math.abs(td);
    dMixed[i] = f(f(inv * f(td * 2)) * mask);
  }

  const grads = new Map<tf.Variable, Float32Array>();
  let dChosen: Float32Array;
  if (ms.kind === 'qmix') {
    const [dq, ...mixerGrads] = mixBackwardSplit(kernelSlot('mixer')!, 'mixer', ms, T * B, mixed.fused!, dMixed);
    dChosen = dq;
    mixerParamSpecs(ms).forEach((spec, i) => grads.set(n.online.mixer.get(spec.name), mixerGrads[i].slice()));
  } else if (ms.kind === 'vdn') {
    dChosen = new Float32Array(T * rows);
    for (let i = 0; i < T * rows; i++) dChosen[i] = dMixed[Math.floor(i / N)];
  } else {
    dChosen = dMixed;
  }
  // dL/dq: the chosen action's entry on real steps, zero elsewhere and on step T.
  const dq = new Float32Array((T + 1) * rows * A);
  for (let i = 0; i < T * rows; i++) if (filled[Math.floor(i / N)] === 1) dq[i * A + actions[i]] = dChosen[i];
  agentBackwardSplit(agentSlot, 'agent', shape, T + 1, rows, online, dq).forEach((g, i) => grads.set(n.online.agent.get(names[i]), g.slice()));
  return { grads, loss: f(loss / denom), qTotMean: f(qTot / denom), targetMean: f(target / denom), tdErrorAbs: f(tdAbs / denom) };
}

/** TD(lambda) targets `[T, B, K]` as targets.ts computes them (zero on padded steps). */
function tdTargets(next: Float32Array, rewards: Float32Array, filled: Float32Array, terminated: Float32Array, bootEnd: Float32Array, T: number, B: number, K: number, n: HostStepNets): Float32Array {
  const { gamma, lambda } = n;
  const boot = f((1 - lambda) * gamma);
  const carry = f(lambda * gamma);
  const c = new Float32Array(T * B * K);
  for (let i = 0; i < c.length; i++) {
    const tb = Math.floor(i / K);
    const bootstrap = f(f(next[i] * f(1 - terminated[tb])) * boot);
    let ci = f(f(rewards[tb] + bootstrap) * filled[tb]);
    if (lambda !== 0) ci = f(ci + f(f(next[i] * bootEnd[tb]) * carry));
    c[i] = ci;
  }
  if (lambda === 0) return c;
  // G = U c: row t sums (lambda gamma)^(s - t) c_s over s >= t.
  const U = n.lambdaU!;
  const W = B * K;
  const y = new Float32Array(T * W);
  const acc = new Float64Array(W);
  for (let t = 0; t < T; t++) {
    acc.fill(0);
    for (let s = t; s < T; s++) {
      const u = U[t * T + s];
      if (u === 0) continue;
      for (let j = 0; j < W; j++) acc[j] += u * c[s * W + j];
    }
    for (let j = 0; j < W; j++) y[t * W + j] = acc[j];
  }
  return y;
}
