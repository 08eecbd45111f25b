/**
 * One thread's share of a host gradient step (host-update.ts): for a set
 * of whole episodes, the target and online agent networks, the double-Q
 * argmax, both mixers, TD(lambda) targets, the masked TD loss and the
 * backward passes, giving that share's weight gradients and loss sums.
 * Episodes are independent, so the learner's thread and its helper each run
 * this on half of a batch's episodes and the learner adds the results: one
 * hand-off an update. Imports no tfjs (the helper thread runs it too).
 *
 * The loops follow the tfjs path (learner.ts, targets.ts) op for op,
 * rounding to float32 where it does (`Math.fround`); sums accumulate in
 * float64.
 */
import type { AgentNetShape } from '../core/agent-arch.js';
import { buildBatchInputs, type AgentInputOptions } from '../core/agent-inputs.js';
import { agentBackwardRows, agentForwardRows, pickRows } from './agent-rows.js';
import { mixBackwardRows, mixForwardRows } from './mixer-rows.js';
import { mixerOutputs, type MixerShape } from './mixer-specs.js';
import { kernelSlot } from './wasm-kernel.js';

const f = Math.fround;

/** What a share needs besides its arrays (JSON-safe: it travels to the helper as the job). */
export interface HostShareSettings {
  readonly agentShape: AgentNetShape;
  readonly mixerShape: MixerShape;
  readonly gamma: number;
  readonly lambda: number;
  readonly doubleQ: boolean;
  /** What the agent inputs hold besides the observation (each thread builds its share's inputs). */
  readonly inputs: AgentInputOptions;
  /** Steps T of the batch (the agent networks run T + 1). */
  readonly T: number;
  /** Episodes in this share. */
  readonly B: number;
  /** Real steps of the whole batch times the mixer's outputs: the loss's denominator. */
  readonly denom: number;
  /**
   * The share's episodes (indices in it) whose target utilities to compute;
   * the others' are given in `targetQ` (target-cache.ts). Null: compute all,
   * and return none.
   */
  readonly compute: readonly number[] | null;
}

/** A share's arrays, time-major over its own episodes. */
export interface HostShareArrays {
  /** Observations `[T + 1, B * N, obsSize]` (the agent inputs are built from them and the actions). */
  readonly obs: Float32Array;
  /** Global states `[T + 1, B, S]`. */
  readonly states: Float32Array;
  /** Actions taken `[T, B * N]` (as floats, so a share travels as one kind of array). */
  readonly actions: Float32Array;
  /** `[T, B]` masks and rewards. */
  readonly filled: Float32Array;
  readonly terminated: Float32Array;
  readonly bootEnd: Float32Array;
  readonly rewards: Float32Array;
  /** 0 or the unavailable-action penalty `[T, B * N, A]` for steps 1..T. */
  readonly nextPenalty: Float32Array;
  /** U of the lambda-return `[T, T]` (empty for lambda 0). */
  readonly lambdaU: Float32Array;
  /** Target utilities `[T + 1, B * N, A]`, filled for the episodes not in `compute` (empty when it is null). */
  readonly targetQ: Float32Array;
}

/** Weights of the four networks, each in its op's order (agent: `WEIGHTS`, mixer: `mixerParamSpecs`). */
export interface HostShareWeights {
  readonly onlineAgent: readonly Float32Array[];
  readonly targetAgent: readonly Float32Array[];
  readonly onlineMixer: readonly Float32Array[];
  readonly targetMixer: readonly Float32Array[];
}

/** A share's result: weight gradients (fresh arrays) and the sums of loss, Q_tot, target and |TD error| over its real steps. */
export interface HostShareResult {
  readonly agentGrads: Float32Array[];
  readonly mixerGrads: Float32Array[];
  /** [sum td^2, sum Q_tot, sum target, sum |td|], each over masked entries. */
  readonly sums: readonly [number, number, number, number];
  /** The share's target utilities `[T + 1, B * N, A]` (a fresh array), unless `compute` was null. */
  readonly targetQ: Float32Array | null;
}

/** The arrays of a share in the order they travel to the helper. */
export const SHARE_ARRAYS = ['obs', 'states', 'actions', 'filled', 'terminated', 'bootEnd', 'rewards', 'nextPenalty', 'lambdaU', 'targetQ'] as const;

/** Q_tot `[rows, K]` and, for QMIX with `keep`, what its backward pass needs. */
function mix(s: MixerShape, weights: readonly Float32Array[], qs: Float32Array, states: Float32Array, keep: boolean) {
  const N = s.nAgents;
  const rows = qs.length / N;
  if (s.kind === 'none') return { out: qs, kept: null };
  if (s.kind === 'vdn') {
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let acc = 0;
      for (let a = 0; a < N; a++) acc = f(acc + qs[r * N + a]);
      out[r] = acc;
    }
    return { out, kept: null };
  }
  const r = mixForwardRows(kernelSlot(keep ? 'mixer' : 'scratch')!, s, states, qs, weights, keep);
  return { out: r.qTot.slice(), kept: r.kept };
}

/**
 * The last share's agent inputs, reused for the next (this thread's kernel
 * calls copy them in, so nothing holds them past a share): a batch's inputs
 * are the largest array of an update, and a fresh one each time is garbage
 * to collect.
 */
let inputScratch: Float32Array | undefined;

/**
 * The gradients and loss sums of one share of episodes, on this thread's
 * kernel (no helper). Needs WebAssembly SIMD.
 * @example
 * ```ts
 * const r = hostShareGradients(settings, weights, arrays); // r.agentGrads, r.mixerGrads, r.sums
 * ```
 */
export function hostShareGradients(st: HostShareSettings, w: HostShareWeights, a: HostShareArrays): HostShareResult {
  const { agentShape: shape, mixerShape: ms, T, B, denom } = st;
  const { filled, actions, nextPenalty } = a;
  const N = ms.nAgents;
  const A = shape.nActions;
  const S = ms.stateSize;
  const K = mixerOutputs(ms);
  const rows = B * N;
  const scratch = kernelSlot('scratch');
  const agentSlot = kernelSlot('agent');
  if (!scratch || !agentSlot) throw new Error('the host update needs WebAssembly SIMD, which this thread lacks');

  // The inputs are built here, on each thread for its own share, rather than for the whole batch on the learner's thread first.
  const obsSize = a.obs.length / ((T + 1) * rows);
  const inputs = buildBatchInputs({ batchSize: B, maxT: T, nAgents: N, obsSize, nActions: A, obs: a.obs, actions, filled }, st.inputs, inputScratch);
  if (inputs.buffer !== inputScratch?.buffer) inputScratch = inputs;
  // Target utilities of every step (the GRU runs from step 0), then the online ones, kept for backward.
  const qTarget = targetUtilities(st, w, inputs, a.targetQ);
  const o = agentForwardRows(agentSlot, shape, inputs, T + 1, rows, w.onlineAgent, true);
  const qOnline = o.mem.slice(o.q / 4, o.q / 4 + o.qFloats);
  // The next value per agent [T, rows]: the target net at the online net's best available action (double Q), or its own best.
  const nextValue = new Float32Array(T * rows);
  for (let i = 0; i < T * rows; i++) {
    const next = (i + rows) * A; // step t + 1, same row
    const pen = i * A;
    if (st.doubleQ) {
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
  // Chosen utilities [T * B, N] (zero on padded steps, as the one-hot of filled x action gives).
  const chosen = new Float32Array(T * rows);
  for (let i = 0; i < T * rows; i++) chosen[i] = filled[Math.floor(i / N)] === 1 ? qOnline[i * A + actions[i]] : 0;
  const mixed = mix(ms, w.onlineMixer, chosen, a.states.subarray(0, T * B * S), true);
  const mixedNext = mix(ms, w.targetMixer, nextValue, a.states.subarray(B * S, (T + 1) * B * S), false).out;
  const y = tdTargets(st, a, mixedNext, K);

  // Masked TD error, the loss and its gradient: d/dmixed sum(td^2) / denom = 2 td mask / denom.
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

  let dChosen: Float32Array;
  let mixerGrads: Float32Array[] = [];
  if (ms.kind === 'qmix') {
    const [dq, ...grads] = mixBackwardRows(kernelSlot('mixer')!, ms, T * B, mixed.kept!, dMixed);
    dChosen = dq;
    mixerGrads = grads.map((g) => g.slice());
  } else if (ms.kind === 'vdn') {
    dChosen = new Float32Array(T * rows);
    for (let i = 0; i < T * rows; i++) dChosen[i] = dMixed[Math.floor(i / N)];
  } else {
    dChosen = dMixed;
  }
  // dL/dq: the chosen action's entry on real steps, zero elsewhere and on step T.
  const dq = new Float32Array((T + 1) * rows * A);
  for (let i = 0; i < T * rows; i++) if (filled[Math.floor(i / N)] === 1) dq[i * A + actions[i]] = dChosen[i];
  const agentGrads = agentBackwardRows(agentSlot, shape, shape.inputSize, T + 1, rows, o.kept!, dq).map((g) => g.slice());
  return { agentGrads, mixerGrads, sums: [loss, qTot, target, tdAbs], targetQ: st.compute === null ? null : qTarget };
}

/**
 * The target network's utilities `[T + 1, B * N, A]`: run on the episodes in
 * `compute` (all when null), the others taken from `given`. When null,
 * a view of the kernel's scratch memory (valid until the scratch slot runs
 * again); otherwise a fresh array.
 */
function targetUtilities(st: HostShareSettings, w: HostShareWeights, inputs: Float32Array, given: Float32Array): Float32Array {
  const { agentShape: shape, T, B, compute } = st;
  const N = st.mixerShape.nAgents;
  const scratch = kernelSlot('scratch')!;
  if (compute === null || compute.length === B) {
    const t = agentForwardRows(scratch, shape, inputs, T + 1, B * N, w.targetAgent, false);
    const q = t.mem.subarray(t.q / 4, t.q / 4 + t.qFloats);
    return compute === null ? q : q.slice();
  }
  const out = given.slice();
  if (compute.length === 0) return out;
  // Only the episodes to compute go through the network: a row's utilities do not depend on the other rows.
  const x = pickRows(inputs, T + 1, B, N * shape.inputSize, compute);
  const rows = compute.length * N;
  const t = agentForwardRows(scratch, shape, x, T + 1, rows, w.targetAgent, false);
  const q = t.mem.subarray(t.q / 4, t.q / 4 + t.qFloats);
  const width = N * shape.nActions;
  for (let s = 0; s <= T; s++) {
    compute.forEach((e, k) => out.set(q.subarray((s * compute.length + k) * width, (s * compute.length + k + 1) * width), (s * B + e) * width));
  }
  return out;
}

/** TD(lambda) targets `[T, B, K]` as targets.ts computes them (zero on padded steps). */
function tdTargets(st: HostShareSettings, a: HostShareArrays, next: Float32Array, K: number): Float32Array {
  const { gamma, lambda, T, B } = st;
  const { rewards, filled, terminated, bootEnd } = a;
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
  const U = a.lambdaU;
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
