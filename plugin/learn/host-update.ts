/**
 * The learner's gradient step without tfjs, for backends whose tensors live
 * in CPU memory (wasm, cpu) when the fused kernels run: the agent networks
 * and the QMIX mixer in the kernel, and everything between them (chosen
 * utilities, the double-Q argmax, TD(lambda) targets, the masked TD loss and
 * its gradient) as loops over Float32Arrays (host-share.ts).
 *
 * Why: after the kernels, an update was about 90 small tfjs ops and their
 * autodiff tape (about 4 ms of a 25 ms two-thread GRU update, all on the
 * learner's thread while the helper waited). As loops they take a fraction
 * of a millisecond. And with no tensors in between, a whole update splits
 * by episodes: with a helper thread, each thread runs the full step on half
 * of the batch's episodes and this one adds the gradients, one hand-off an
 * update instead of six.
 *
 * Results equal the tfjs path's within float32 rounding, not bit for bit
 * (sums accumulate in float64 and in another order). The tfjs path
 * (learner.ts) stays for WebGL, demonstrations' margin loss, softplus mixers
 * and `useFusedKernels(false)`; the tests compare the two.
 */
import type { AgentNetShape } from '../core/agent-arch.js';
import type { AgentInputOptions } from '../core/agent-inputs.js';
import type { EpisodeBatch } from '../core/replay.js';
import { rowsOf, WEIGHTS } from './agent-rows.js';
import { hostShareGradients, SHARE_ARRAYS, type HostShareArrays, type HostShareSettings, type HostShareWeights } from './host-share.js';
import { kernelHelper } from './kernel-threads.js';
import { mixerOutputs, mixerParamSpecs, type MixerShape } from './mixer-specs.js';
import type { ParamSet } from './params.js';
import type * as tf from './tf.js';
import { readOnlyValues } from './read.js';
import type { TargetQCache } from './target-cache.js';

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
  /** Target utilities kept from earlier updates (target-cache.ts); none: computed every time. */
  readonly targetCache?: TargetQCache | null;
}

/** The batch as arrays. */
export interface HostStepBatch {
  readonly batch: EpisodeBatch;
  /** What the agent inputs hold besides the observation (each thread builds its share's, `buildBatchInputs`). */
  readonly inputs: AgentInputOptions;
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

/** The weights as arrays, read only (the kernels copy them in; the helper's travel packed). */
function weightsOf(p: ParamSet, names: readonly string[]): Float32Array[] {
  return names.map((name) => readOnlyValues(p.get(name)));
}

/** Below this many agent row-steps (episodes x agents x steps) a host step runs on one thread (as the split kernels: a hand-off costs tens of microseconds). */
const MIN_ROW_STEPS = 1024;

/** How much more an episode costs when its target utilities are computed than when they are reused (the target forward pass is about a third of the rest). */
const TARGET_COST = 0.33;

/**
 * Where the batch splits: the learner's thread takes episodes `[0, mine)`,
 * chosen so that both halves have about the same work (ties: the larger
 * half here). `fresh[b]`: episode b's target utilities are computed.
 */
function splitPoint(fresh: readonly boolean[]): number {
  const cost = fresh.map((c) => (c ? 1 + TARGET_COST : 1));
  const total = cost.reduce((x, y) => x + y, 0);
  let best = 1;
  let bestGap = Infinity;
  let prefix = 0;
  for (let m = 1; m < cost.length; m++) {
    prefix += cost[m - 1];
    const gap = Math.abs(2 * prefix - total);
    // m rises, so a tie (within rounding) goes to the larger half here.
    if (gap <= bestGap + 1e-9) [best, bestGap] = [m, gap];
  }
  return best;
}

/**
 * Target utilities reused for a share `[T + 1, count * N, A]` (zero for
 * the episodes to compute) and the indices of those (null: no cache, compute all).
 */
function reusedTargets(reused: readonly (Float32Array | null)[] | null, T: number, width: number, from: number, count: number): { targetQ: Float32Array; compute: number[] | null } {
  if (reused === null) return { targetQ: new Float32Array(0), compute: null };
  const targetQ = new Float32Array((T + 1) * count * width);
  const compute: number[] = [];
  for (let e = 0; e < count; e++) {
    const q = reused[from + e];
    if (q === null) {
      compute.push(e);
      continue;
    }
    // An entry covers its episode's steps 0..L; later steps are padding, masked out of the loss, and stay zero.
    const steps = q.length / width;
    for (let s = 0; s < steps; s++) targetQ.set(q.subarray(s * width, (s + 1) * width), (s * count + e) * width);
  }
  return { targetQ, compute };
}

/** The arrays of episodes `[from, from + count)` of the batch (`actions`: the batch's, as floats). */
function shareArrays(b: HostStepBatch, actions: Float32Array, lambdaU: Float32Array, from: number, count: number, targetQ: Float32Array): HostShareArrays {
  const { batch } = b;
  const { batchSize: B, maxT: T } = batch;
  const whole = from === 0 && count === B;
  // Whole episodes: an episode is one row of width (its values per step).
  const cut = (x: Float32Array, steps: number) => (whole ? x : rowsOf(x, steps, B, x.length / (steps * B), from, count));
  return {
    obs: cut(batch.obs, T + 1),
    states: cut(batch.state, T + 1),
    actions: cut(actions, T),
    filled: cut(batch.filled, T),
    terminated: cut(batch.terminated, T),
    bootEnd: cut(b.bootEnd, T),
    rewards: cut(b.rewards, T),
    nextPenalty: cut(b.nextPenalty, T),
    lambdaU,
    targetQ,
  };
}

/**
 * Keeps the target utilities a share computed, per episode, steps 0..L
 * (`q`: the share's `[T + 1, count * N, A]`, the share starting at episode `from`).
 */
function keepTargets(cache: TargetQCache, ids: Float64Array, filled: Float32Array, B: number, q: Float32Array, width: number, from: number, computed: readonly number[]): void {
  const T = filled.length / B;
  const count = q.length / ((T + 1) * width);
  for (const e of computed) {
    const b = from + e;
    let L = 0;
    for (let t = 0; t < T; t++) L += filled[t * B + b];
    const entry = new Float32Array((L + 1) * width);
    for (let s = 0; s <= L; s++) entry.set(q.subarray((s * count + e) * width, (s * count + e + 1) * width), s * width);
    cache.set(ids[b], entry);
  }
}

/**
 * One gradient step's loss, statistics and gradients (nothing is applied:
 * the optimiser does that), the episodes split with the helper thread when
 * there is one (each thread runs {@link hostShareGradients} on its half;
 * this one adds the results). Only where the fused kernels run and
 * {@link hostMixerOk} holds.
 * @example
 * ```ts
 * const r = hostGradientStep(nets, { batch, inputs: { obsLastAction: true, obsAgentId: true }, rewards, nextPenalty, bootEnd });
 * optimizer.clipAndApplyHost(optimizer.variables.map((v) => r.grads.get(v)!), 10);
 * ```
 */
export function hostGradientStep(n: HostStepNets, b: HostStepBatch): HostStepResult {
  const { batchSize: B, maxT: T, filled } = b.batch;
  const ms = n.mixerShape;
  const agentNames = WEIGHTS[n.agentShape.kind];
  const mixerNames = ms.kind === 'qmix' ? mixerParamSpecs(ms).map((x) => x.name) : [];
  const weights: HostShareWeights = {
    onlineAgent: weightsOf(n.online.agent, agentNames),
    targetAgent: weightsOf(n.target.agent, agentNames),
    onlineMixer: weightsOf(n.online.mixer, mixerNames),
    targetMixer: weightsOf(n.target.mixer, mixerNames),
  };
  let realSteps = 0;
  for (let i = 0; i < T * B; i++) realSteps += filled[i];
  const denom = realSteps * mixerOutputs(ms);
  const lambdaU = n.lambdaU ?? new Float32Array(0);
  const actions = Float32Array.from(b.batch.actions);
  // Only the two flags travel with the job (the caller may pass its whole config).
  const inputs: AgentInputOptions = { obsLastAction: b.inputs.obsLastAction, obsAgentId: b.inputs.obsAgentId };
  const settings = (episodes: number, compute: number[] | null): HostShareSettings => ({ agentShape: n.agentShape, mixerShape: ms, gamma: n.gamma, lambda: n.lambda, doubleQ: n.doubleQ, inputs, T, B: episodes, denom, compute });

  // Target utilities kept from earlier updates with these target weights, per episode (null: to compute).
  const cache = n.targetCache ?? null;
  const ids = b.batch.episodeIds;
  if (ids !== undefined && !(ids instanceof Float64Array && ids.length === B)) throw new Error(`batch episodeIds must be a Float64Array of ${B} serials (one per episode), got ${ids?.constructor?.name} of ${(ids as { length?: number })?.length}`);
  let reused: (Float32Array | null)[] | null = null;
  if (cache && cache.maxBytes > 0 && ids) {
    cache.sync(n.target.agent.variables.map((v) => v.dataId as object));
    reused = Array.from(ids, (id) => cache.get(id) ?? null);
  }
  const width = ms.nAgents * n.agentShape.nActions;

  // Whole episodes on each thread: the first part here, the rest on the helper, about the same work each.
  const helper = kernelHelper();
  const split = helper?.ready && B >= 2 && (T + 1) * B * ms.nAgents >= MIN_ROW_STEPS;
  const mine = split ? splitPoint(Array.from({ length: B }, (_, i) => reused === null || reused[i] === null)) : B;
  const ownTargets = reusedTargets(reused, T, width, 0, mine);
  let theirTargets: ReturnType<typeof reusedTargets> | null = null;
  if (mine < B) {
    theirTargets = reusedTargets(reused, T, width, mine, B - mine);
    const share = shareArrays(b, actions, lambdaU, mine, B - mine, theirTargets.targetQ);
    const all = [...weights.onlineAgent, ...weights.targetAgent, ...weights.onlineMixer, ...weights.targetMixer];
    // The weights travel packed in one array with their lengths beside it (a job carries at most 28 arrays).
    const packed = new Float32Array(all.reduce((k, x) => k + x.length, 0));
    all.reduce((at, x) => (packed.set(x, at), at + x.length), 0);
    helper!.start({ kind: 'host-step', role: 'agent', rows: (B - mine) * ms.nAgents, keep: false, host: settings(B - mine, theirTargets.compute) }, [
      ...SHARE_ARRAYS.map((k) => share[k]), packed, Float32Array.from(all, (x) => x.length),
    ]);
  }
  const own = hostShareGradients(settings(mine, ownTargets.compute), weights, shareArrays(b, actions, lambdaU, 0, mine, ownTargets.targetQ));
  const sums = [...own.sums];
  if (cache && ids && own.targetQ) keepTargets(cache, ids, b.batch.filled, B, own.targetQ, width, 0, ownTargets.compute!);
  if (mine < B) {
    // The helper's outputs: agent gradients, mixer gradients, its four sums, then its target utilities (empty without a cache).
    const theirs = helper!.finish();
    const grads = [...own.agentGrads, ...own.mixerGrads];
    if (theirs.length !== grads.length + 2) throw new Error(`the helper's host step returned ${theirs.length} arrays, expected ${grads.length + 2}`);
    grads.forEach((g, i) => {
      const h = theirs[i];
      for (let j = 0; j < g.length; j++) g[j] += h[j];
    });
    const s = theirs[grads.length];
    for (let k = 0; k < 4; k++) sums[k] += s[k];
    const q = theirs[grads.length + 1];
    if (cache && ids && theirTargets!.compute) keepTargets(cache, ids, b.batch.filled, B, q, width, mine, theirTargets!.compute);
  }
  const grads = new Map<tf.Variable, Float32Array>();
  agentNames.forEach((name, i) => grads.set(n.online.agent.get(name), own.agentGrads[i]));
  mixerNames.forEach((name, i) => grads.set(n.online.mixer.get(name), own.mixerGrads[i]));
  const [loss, qTot, target, tdAbs] = sums;
  return { grads, loss: f(loss / denom), qTotMean: f(qTot / denom), targetMean: f(target / denom), tdErrorAbs: f(tdAbs / denom) };
}
