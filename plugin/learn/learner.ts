/**
 * The Q-learner: QMIX, VDN or IQL over padded episode batches (pymarl's
 * `QLearner.train`), on tfjs.
 *
 * One update, top to bottom:
 * 1. collate masks and one-hots in JS (exact on every backend);
 * 2. target agent net over all T+1 steps (no gradient);
 * 3. online agent net over all T+1 steps; utilities of the taken actions;
 *    mixer on the states of steps 0..T-1;
 * 4. targets: next-step action by argmax of the online net (double Q) or the
 *    target net, unavailable actions excluded; target mixer on states 1..T;
 *    TD(lambda) returns (lambda = 0: one-step) - computed inside a zero-gradient
 *    boundary, so no gradient flows into them;
 * 5. loss = mean squared TD error over real steps (and agents, for IQL);
 * 6. clip the global gradient norm, optimiser step, target update.
 */
import * as tf from './tf.js';
import { agentInputSize, buildBatchInputs } from '../core/agent-inputs.js';
import { validateConfig, type QmixConfig } from '../core/config.js';
import { validateSpec, type EnvSpec } from '../core/env.js';
import type { EpisodeBatch } from '../core/replay.js';
import { Rng } from '../core/rng.js';
import { RunningMeanStd } from '../core/running-stats.js';
import { agentParamSpecs, type AgentNetShape } from '../core/agent-arch.js';
import { AgentInputs, agentForward } from './agent-net.js';
import { readTidy } from './read.js';
import { canFuseMixer, mixQ } from './fused-mixer.js';
import { hostGradientStep, hostMixerOk } from './host-update.js';
import { fusedKernelsOn, wasmKernel } from './wasm-kernel.js';
import { kernelHelper } from './kernel-threads.js';
import { mixerOutputs, type MixerShape } from './mixers.js';
import { mixerInitSpecs } from './mixer-specs.js';
import type { LearnerState, UpdateStats, WeightMap } from './learner-state.js';
import { TorchOptimizer } from './optimizers.js';
import { batchTensors, disposeBatch, nextPenalty, type BatchTensors } from './learner-batch.js';
import { ParamSet } from './params.js';
import { bootstrapEnds, lambdaMatrix, tdTargets } from './targets.js';
import { TargetQCache } from './target-cache.js';

export type { LearnerState, UpdateStats, WeightMap } from './learner-state.js';

/** The online and target networks of one learner. */
interface Networks {
  readonly agent: ParamSet;
  readonly mixer: ParamSet;
}

/**
 * A QMIX / VDN / IQL learner.
 *
 * @example
 * ```ts
 * await useBackend('wasm');
 * const learner = new QLearner(env.spec, { mixer: 'qmix', agent: 'gru' });
 * const stats = learner.update(buffer.sample(32, rng), episodesSoFar);
 * stats.loss;
 * learner.dispose();
 * ```
 */
export class QLearner {
  readonly spec: EnvSpec;
  readonly config: QmixConfig;
  readonly agentShape: AgentNetShape;
  readonly mixerShape: MixerShape;
  readonly online: Networks;
  readonly target: Networks;
  private readonly optimizer: TorchOptimizer;
  private readonly rewardStats = new RunningMeanStd();
  private lambdaFull: tf.Tensor2D | null = null;
  private updateCount = 0;
  private weightsVersionValue = 0;
  private lastTargetUpdateEpisode = 0;
  private disposed = false;
  private targetCache = new TargetQCache();

  constructor(spec: EnvSpec, config: Partial<QmixConfig> = {}) {
    this.spec = validateSpec(spec);
    this.config = validateConfig(config);
    const c = this.config;
    this.agentShape = {
      kind: c.agent,
      inputSize: agentInputSize(this.spec, c),
      hiddenDim: c.hiddenDim,
      nActions: this.spec.nActions,
    };
    this.mixerShape = {
      kind: c.mixer,
      nAgents: this.spec.nAgents,
      stateSize: this.spec.stateSize,
      embedDim: c.mixingEmbedDim,
      hypernetLayers: c.hypernetLayers,
      hypernetEmbed: c.hypernetEmbed,
      nonNegative: c.nonNegative,
    };
    const init = new Rng(c.seed, 'init');
    this.online = {
      agent: ParamSet.create(agentParamSpecs(this.agentShape), init),
      mixer: ParamSet.create(mixerInitSpecs(this.mixerShape, c.mixerInit), init),
    };
    this.target = { agent: this.online.agent.clone(false), mixer: this.online.mixer.clone(false) };
    const groups = [{ variables: this.online.agent.variables, lr: c.lr }];
    if (this.online.mixer.specs.length > 0) groups.push({ variables: this.online.mixer.variables, lr: c.mixerLr ?? c.lr });
    this.optimizer = new TorchOptimizer(
      groups,
      c.optimizer === 'adam'
        ? { kind: 'adam', beta1: c.adamBeta1, beta2: c.adamBeta2, eps: c.adamEps }
        : { kind: 'rmsprop', alpha: c.rmspropAlpha, eps: c.rmspropEps },
    );
  }

  /** Updates done so far. */
  get updates(): number {
    return this.updateCount;
  }

  /**
   * Changes whenever the online weights do (an update, a restored state):
   * what acts with a copy of them checks it to know when to copy again.
   * @example
   * ```ts
   * if (learner.weightsVersion !== seen) { copy(learner.online.agent.read()); seen = learner.weightsVersion; }
   * ```
   */
  get weightsVersion(): number {
    return this.weightsVersionValue;
  }

  /**
   * One gradient step on a batch of episodes.
   * @param episode episodes collected so far (drives the hard target copy,
   *   as in pymarl); defaults to the update count.
   */
  update(batch: EpisodeBatch, episode = this.updateCount + 1, opts: { readonly demoRows?: number } = {}): UpdateStats {
    this.assertAlive();
    this.checkBatch(batch);
    const demoRows = opts.demoRows ?? 0;
    if (!(Number.isInteger(demoRows) && demoRows >= 0 && demoRows <= batch.batchSize)) throw new RangeError(`demoRows ${demoRows} is not in 0..${batch.batchSize}`);
    // The helper thread (if any) wakes now, while this thread builds the batch, and stays awake to the end of the update.
    const helper = kernelHelper();
    helper?.wake?.();
    try {
      return demoRows === 0 && this.hostUpdates ? this.hostUpdate(batch, episode) : this.tfjsUpdate(batch, episode, demoRows);
    } finally {
      helper?.rest?.();
    }
  }

  /** {@link QLearner.update} through tfjs ops and autodiff (the reference path; WebGL, demonstrations, softplus). */
  private tfjsUpdate(batch: EpisodeBatch, episode: number, demoRows: number): UpdateStats {
    const bt = batchTensors(batch, {
      inputs: new AgentInputs(buildBatchInputs(batch, this.config), batch.maxT + 1, batch.batchSize * this.spec.nAgents, this.agentShape.inputSize),
      ...this.trainedRewards(batch),
      demoRows: this.config.demoLossWeight > 0 ? demoRows : 0,
      demoMargin: this.config.demoMargin,
    });
    try {
      this.weightsVersionValue++;
      const packed = tf.tidy(() => this.gradientStep(bt));
      const [loss, gradNorm, qTotMean, targetMean, tdErrorAbs] = packed.dataSync();
      packed.dispose();
      this.updateCount++;
      const targetUpdated = this.updateTargets(episode);
      return { loss, gradNorm, qTotMean, targetMean, tdErrorAbs, updates: this.updateCount, targetUpdated, rewardAbsMax: bt.rewardAbsMax };
    } finally {
      disposeBatch(bt);
    }
  }

  /**
   * Whether updates take the tfjs-free step now (host-update.ts): fused
   * kernels on a backend whose tensors live in CPU memory (wasm, cpu), QMIX
   * with `abs` weights, VDN or IQL, and the optimiser on the host too.
   * Updates with demonstrations' margin loss take the tfjs path regardless.
   * @example
   * ```ts
   * console.log(learner.hostUpdates ? 'updates without tfjs ops' : 'updates through tfjs');
   * ```
   */
  get hostUpdates(): boolean {
    return this.optimizer.host && fusedKernelsOn() && tf.getBackend() !== 'webgl' && wasmKernel() !== null && hostMixerOk(this.mixerShape, canFuseMixer(this.mixerShape));
  }

  /** {@link QLearner.update} through {@link hostGradientStep}: no tensors but the weights. */
  private hostUpdate(batch: EpisodeBatch, episode: number): UpdateStats {
    const { rewards, rewardAbsMax } = this.trainedRewards(batch);
    const T = batch.maxT;
    this.weightsVersionValue++;
    const r = hostGradientStep(
      {
        agentShape: this.agentShape, mixerShape: this.mixerShape, online: this.online, target: this.target,
        gamma: this.config.gamma, lambda: this.config.tdLambda, doubleQ: this.config.doubleQ,
        lambdaU: this.config.tdLambda > 0 ? lambdaMatrix(T, this.config.gamma, this.config.tdLambda) : null,
        targetCache: this.targetCache,
      },
      { batch, inputs: this.config, rewards, nextPenalty: nextPenalty(batch), bootEnd: bootstrapEnds(batch.filled, batch.terminated, T, batch.batchSize) },
    );
    const gradNorm = this.optimizer.clipAndApplyHost(this.optimizer.variables.map((v) => r.grads.get(v)!), this.config.gradNormClip);
    if (this.config.targetUpdate === 'soft') {
      this.target.agent.softUpdateFrom(this.online.agent, this.config.tau);
      this.target.mixer.softUpdateFrom(this.online.mixer, this.config.tau);
    }
    this.updateCount++;
    const targetUpdated = this.updateTargets(episode);
    return { loss: r.loss, gradNorm, qTotMean: r.qTotMean, targetMean: r.targetMean, tdErrorAbs: r.tdErrorAbs, updates: this.updateCount, targetUpdated, rewardAbsMax };
  }

  /**
   * Host updates reuse the target network's utilities per replay episode while
   * the target weights stay the same (target-cache.ts; bit for bit what the
   * forward pass gives): episodes reused and computed, and the memory held.
   * @example
   * ```ts
   * const { hits, misses } = learner.targetReuse; // hits / (hits + misses): the share of target passes saved
   * ```
   */
  get targetReuse(): { readonly hits: number; readonly misses: number; readonly bytes: number; readonly maxBytes: number } {
    return { ...this.targetCache.counts, bytes: this.targetCache.bytes, maxBytes: this.targetCache.maxBytes };
  }

  /**
   * Memory for {@link QLearner.targetReuse} (default 32 MiB; 0: off); drops what was kept.
   * @example
   * ```ts
   * learner.setTargetReuseBytes(0); // compute the target network on every batch
   * ```
   */
  setTargetReuseBytes(bytes: number): void {
    this.targetCache = new TargetQCache(bytes);
  }

  /** Copies online weights into the target networks now. */
  hardUpdateTargets(): void {
    this.target.agent.copyFrom(this.online.agent);
    this.target.mixer.copyFrom(this.online.mixer);
  }

  /**
   * Online utilities for every step of a batch: `[T + 1, B, nAgents, nActions]`
   * as a flat Float32Array (GRU hidden state carried from step 0).
   */
  qValues(batch: EpisodeBatch): Float32Array {
    this.assertAlive();
    const x = new AgentInputs(buildBatchInputs(batch, this.config), batch.maxT + 1, batch.batchSize * this.spec.nAgents, this.agentShape.inputSize);
    try {
      return readTidy(() => agentForward(this.agentShape, this.online.agent, x, null, { grad: false }).q);
    } finally {
      x.dispose();
    }
  }

  /**
   * Online mixer output for given utilities and states.
   * @param qs `[rows, nAgents]` utilities
   * @param states `[rows, stateSize]`
   * @returns `[rows, K]` (K = 1 for qmix/vdn, nAgents for none)
   */
  mix(qs: Float32Array, states: Float32Array): Float32Array {
    this.assertAlive();
    const rows = qs.length / this.spec.nAgents;
    return readTidy(() => {
      const q = tf.tensor2d(qs, [rows, this.spec.nAgents]);
      const s = tf.tensor2d(states, [rows, this.spec.stateSize]);
      return mixQ(this.mixerShape, this.online.mixer, q, s, false);
    });
  }

  /**
   * Each agent's credit at one state: dQ_tot/dQ_i of the online mixer at the
   * agents' Q-values `qs` ([nAgents]) and `state`. VDN gives 1 to everyone;
   * without a mixer (IQL) there is no team value, so null.
   * @example
   * ```ts
   * const credit = learner.credit(Float32Array.of(0.4, 1.2, 0.1), state); // who the team relies on
   * ```
   */
  credit(qs: Float32Array, state: Float32Array): Float32Array | null {
    this.assertAlive();
    if (this.config.mixer === 'none') return null;
    if (qs.length !== this.spec.nAgents) throw new RangeError(`credit needs ${this.spec.nAgents} Q-values, got ${qs.length}`);
    if (state.length !== this.spec.stateSize) throw new RangeError(`credit needs a state of ${this.spec.stateSize} values, got ${state.length}`);
    return readTidy(() => {
      const s = tf.tensor2d(state, [1, this.spec.stateSize]);
      const grad = tf.grad((q: tf.Tensor) => tf.sum(mixQ(this.mixerShape, this.online.mixer, q as tf.Tensor2D, s)));
      return grad(tf.tensor2d(qs, [1, this.spec.nAgents]));
    });
  }

  /**
   * A copy of the learner's whole state: online and target weights,
   * optimiser moments and step, counters and reward statistics.
   * @example
   * ```ts
   * const state = learner.getState();
   * fresh.setState(state); // fresh continues with the same losses
   * ```
   */
  getState(): LearnerState {
    this.assertAlive();
    const values = (p: ParamSet): WeightMap => Object.fromEntries(Object.entries(p.read()).map(([k, w]) => [k, w.data]));
    return {
      updates: this.updateCount,
      lastTargetUpdateEpisode: this.lastTargetUpdateEpisode,
      rewardStats: { mean: this.rewardStats.mean, variance: this.rewardStats.variance, count: this.rewardStats.count },
      optimizer: this.optimizer.getState(),
      online: { agent: values(this.online.agent), mixer: values(this.online.mixer) },
      target: { agent: values(this.target.agent), mixer: values(this.target.mixer) },
    };
  }

  /**
   * Restores {@link QLearner.getState}. Everything is checked before anything
   * is written, so a bad state leaves the learner as it was.
   */
  setState(state: LearnerState): void {
    this.assertAlive();
    const shaped = (p: ParamSet, m: WeightMap) =>
      Object.fromEntries(p.specs.map((s) => [s.name, { shape: s.shape, data: m?.[s.name] ?? new Float32Array(0) }]));
    const sets: [ParamSet, WeightMap][] = [
      [this.online.agent, state.online?.agent],
      [this.online.mixer, state.online?.mixer],
      [this.target.agent, state.target?.agent],
      [this.target.mixer, state.target?.mixer],
    ];
    for (const [p, m] of sets) {
      if (m == null) throw new Error('learner state is missing a weight set');
      p.check(shaped(p, m));
    }
    this.optimizer.check(state.optimizer);
    const counters = [state.updates, state.lastTargetUpdateEpisode];
    if (counters.some((c) => !Number.isInteger(c) || c < 0)) throw new Error(`learner state counters are invalid: ${counters.join(', ')}`);
    const rs = state.rewardStats;
    if (rs == null || !Number.isFinite(rs.mean) || !(Number.isFinite(rs.variance) && rs.variance >= 0) || !(Number.isFinite(rs.count) && rs.count > 0)) {
      throw new Error(`learner rewardStats are invalid (mean ${rs?.mean}, variance ${rs?.variance}, count ${rs?.count}): expected finite values, variance >= 0, count > 0`);
    }
    this.weightsVersionValue++;
    for (const [p, m] of sets) p.write(shaped(p, m));
    this.optimizer.setState(state.optimizer);
    this.updateCount = state.updates;
    this.lastTargetUpdateEpisode = state.lastTargetUpdateEpisode;
    this.rewardStats.mean = state.rewardStats.mean;
    this.rewardStats.variance = state.rewardStats.variance;
    this.rewardStats.count = state.rewardStats.count;
  }

  /** Frees every tensor this learner owns. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.online.agent.dispose();
    this.online.mixer.dispose();
    this.target.agent.dispose();
    this.target.mixer.dispose();
    this.optimizer.dispose();
    this.lambdaFull?.dispose();
    this.lambdaFull = null;
    this.targetCache.clear();
  }

  /** The whole differentiable step; returns [loss, gradNorm, qTotMean, targetMean, tdAbs]. */
  private gradientStep(bt: BatchTensors): tf.Tensor1D {
    const { T, B } = bt;
    const N = this.spec.nAgents;
    const S = this.spec.stateSize;
    const K = mixerOutputs(this.mixerShape);
    const rows = B * N;
    const statesNow = tf.reshape(tf.slice(bt.states, [0, 0, 0], [T, B, S]), [T * B, S]) as tf.Tensor2D;
    const statesNext = tf.reshape(tf.slice(bt.states, [1, 0, 0], [T, B, S]), [T * B, S]) as tf.Tensor2D;
    // [T, B*N, A]: target utilities of steps 1..T (the GRU still runs from step 0).
    const targetNextQ = tf.slice(agentForward(this.agentShape, this.target.agent, bt.inputs, null, { grad: false }).q, [1, 0, 0], [T, rows, -1]);

    // A zero-gradient boundary: everything inside runs off the tape, so the
    // double-Q argmax (which has no gradient in tfjs) never reaches backprop.
    const targets = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const qOnline = args[0] as tf.Tensor3D;
      return {
        value: this.targetsFrom(bt, qOnline, targetNextQ, statesNext),
        gradFunc: () => [tf.zerosLike(qOnline)],
      };
    });

    const mask = tf.reshape(bt.filled, [T * B, 1]);
    const denom = bt.realSteps * K;
    const side: tf.Tensor[] = [];
    const { value: loss, grads } = tf.variableGrads(() => {
      // [T+1, B*N, A]
      const q = agentForward(this.agentShape, this.online.agent, bt.inputs).q;
      const chosen = tf.reshape(tf.sum(tf.mul(tf.slice(q, [0, 0, 0], [T, rows, -1]), bt.actionsOneHot), 2), [T * B, N]) as tf.Tensor2D;
      const mixed = mixQ(this.mixerShape, this.online.mixer, chosen, statesNow); // [T*B, K]
      const y = tf.reshape(targets(q), [T * B, K]);
      const td = tf.mul(tf.sub(mixed, y), mask);
      side.push(
        tf.keep(tf.div(tf.sum(tf.mul(mixed, mask)), denom)),
        tf.keep(tf.div(tf.sum(tf.mul(y, mask)), denom)),
        tf.keep(tf.div(tf.sum(tf.abs(td)), denom)),
      );
      const tdLoss = tf.div(tf.sum(tf.square(td)), denom) as tf.Scalar;
      if (!bt.demo) return tdLoss;
      // DQfD's large-margin loss on the demonstrated actions: max_u [Q(u) + l(u)] - Q(a_demo), per agent and step.
      const qNow = tf.slice(q, [0, 0, 0], [T, rows, -1]);
      const best = tf.max(tf.add(qNow, bt.demo.margins), 2); // [T, B*N]
      const demoQ = tf.sum(tf.mul(qNow, bt.actionsOneHot), 2);
      const margin = tf.div(tf.sum(tf.mul(tf.sub(best, demoQ), bt.demo.mask)), bt.demo.count);
      return tf.add(tdLoss, tf.mul(margin, this.config.demoLossWeight)) as tf.Scalar;
    }, this.optimizer.variables as tf.Variable[]);

    const norm = this.optimizer.clipAndApply(
      this.optimizer.variables.map((v) => grads[v.name]),
      this.config.gradNormClip,
    );
    if (this.config.targetUpdate === 'soft') {
      this.target.agent.softUpdateFrom(this.online.agent, this.config.tau);
      this.target.mixer.softUpdateFrom(this.online.mixer, this.config.tau);
    }
    const packed = tf.stack([loss, norm, ...side]) as tf.Tensor1D;
    for (const t of side) t.dispose();
    return packed;
  }

  /** TD targets `[T, B, K]` from the online utilities (for double Q) and the target nets. */
  private targetsFrom(bt: BatchTensors, qOnline: tf.Tensor3D, targetNextQ: tf.Tensor3D, statesNext: tf.Tensor2D): tf.Tensor3D {
    const { T, B } = bt;
    const N = this.spec.nAgents;
    const A = this.spec.nActions;
    const rows = B * N;
    let nextValue: tf.Tensor; // [T, B*N]
    if (this.config.doubleQ) {
      const onlineNext = tf.add(tf.slice(qOnline, [1, 0, 0], [T, rows, A]), bt.nextPenalty);
      const best = tf.argMax(onlineNext, 2); // [T, B*N] int32
      // oneHot, not a broadcast equal against a range (that took about 3 ms on
      // wasm); int32 then cast, because wasm's float32 oneHot writes integer
      // bit patterns (1 reads back as 1.4e-45 in tfjs-backend-wasm 4.22).
      const pick = tf.cast(tf.oneHot(best, A), 'float32');
      nextValue = tf.sum(tf.mul(targetNextQ, pick), 2);
    } else {
      nextValue = tf.max(tf.add(targetNextQ, bt.nextPenalty), 2);
    }
    const mixedNext = mixQ(this.mixerShape, this.target.mixer, tf.reshape(nextValue, [T * B, N]) as tf.Tensor2D, statesNext, false);
    const K = mixerOutputs(this.mixerShape);
    return tdTargets({
      rewards: bt.rewards,
      filled: bt.filled,
      terminated: bt.terminated,
      bootEnd: bt.bootEnd,
      next: tf.reshape(mixedNext, [T, B, K]),
      gamma: this.config.gamma,
      lambda: this.config.tdLambda,
      lambdaU: this.config.tdLambda > 0 ? this.lambdaU(T) : undefined,
    });
  }

  /** U for T steps: the top-left block of U for the episode limit (U[t, s] depends on s - t only). */
  private lambdaU(T: number): tf.Tensor2D {
    const L = this.spec.episodeLimit;
    if (this.lambdaFull === null) this.lambdaFull = tf.keep(tf.tensor2d(lambdaMatrix(L, this.config.gamma, this.config.tdLambda), [L, L]));
    return T === L ? this.lambdaFull : tf.slice(this.lambdaFull, [0, 0], [T, T]);
  }

  private updateTargets(episode: number): boolean {
    if (this.config.targetUpdate !== 'hard') return false;
    if ((episode - this.lastTargetUpdateEpisode) / this.config.targetUpdateInterval >= 1) {
      this.hardUpdateTargets();
      this.lastTargetUpdateEpisode = episode;
      return true;
    }
    return false;
  }

  /** The rewards an update trains on (standardised when configured) and the largest |reward| of a real step. */
  private trainedRewards(batch: EpisodeBatch): { rewards: Float32Array; rewardAbsMax: number } {
    const rewards = this.config.standardiseRewards ? this.standardise(batch) : batch.rewards;
    let rewardAbsMax = 0;
    for (let i = 0; i < rewards.length; i++) if (batch.filled[i] === 1) rewardAbsMax = Math.max(rewardAbsMax, Math.abs(rewards[i]));
    return { rewards, rewardAbsMax };
  }

  /** EPyMARL-style reward standardisation by running statistics of real-step rewards. */
  private standardise(batch: EpisodeBatch): Float32Array {
    const real: number[] = [];
    for (let i = 0; i < batch.rewards.length; i++) if (batch.filled[i] === 1) real.push(batch.rewards[i]);
    this.rewardStats.update(real);
    const out = new Float32Array(batch.rewards.length);
    const std = Math.sqrt(this.rewardStats.variance + 1e-8);
    for (let i = 0; i < out.length; i++) out[i] = batch.filled[i] === 1 ? (batch.rewards[i] - this.rewardStats.mean) / std : 0;
    return out;
  }

  private checkBatch(batch: EpisodeBatch): void {
    const s = this.spec;
    if (batch.nAgents !== s.nAgents || batch.obsSize !== s.obsSize || batch.stateSize !== s.stateSize || batch.nActions !== s.nActions) {
      throw new Error(
        `batch shape (agents ${batch.nAgents}, obs ${batch.obsSize}, state ${batch.stateSize}, actions ${batch.nActions}) ` +
          `does not match the learner's spec (agents ${s.nAgents}, obs ${s.obsSize}, state ${s.stateSize}, actions ${s.nActions})`,
      );
    }
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('this QLearner was disposed');
  }
}
