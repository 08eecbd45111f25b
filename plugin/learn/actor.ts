/**
 * Acting with the learner's live online weights (the in-process training
 * path). By default one step of the agent network for all rows at once goes
 * through the learner's WebAssembly kernel ({@link KernelStep}), with a copy
 * of the weights taken again whenever they change: no tfjs call (and, on
 * WebGL, no read back from the GPU) per env step. The tfjs forward stays as
 * the reference ({@link useTfjsActing}) and where WebAssembly SIMD is
 * missing. Shipped games act through the runtime instead.
 */
import * as tf from './tf.js';
import { writeStepInputs } from '../core/agent-inputs.js';
import type { ActingMemory, QPolicy } from '../core/runner.js';
import { AgentInputs, agentForward } from './agent-net.js';
import { KernelStep } from './kernel-step.js';
import type { QLearner } from './learner.js';

let tfjsActing = false;

/**
 * Chooses how actors made from now on compute utilities: through the tfjs
 * agent network (`true`: the reference, one tfjs call per step) or the
 * learner's WebAssembly kernel (`false`, the default where WebAssembly SIMD
 * is available). Both compute the same network; they differ in float
 * rounding only.
 * @example
 * ```ts
 * useTfjsActing(true); // e.g. to benchmark the old path
 * ```
 */
export function useTfjsActing(on: boolean): void {
  tfjsActing = on;
}

/**
 * A {@link QPolicy} over a learner's online agent network through the
 * learner's WebAssembly kernel; keeps each agent's GRU hidden state between
 * steps (also across new weights) and resets it per episode. Several copies
 * of a squad (training arenas) act in one call through `qValuesMany`.
 * Made by {@link makeActor} where WebAssembly SIMD is available.
 *
 * @example
 * ```ts
 * const actor = makeActor(learner);
 * runEpisode(env, actor, { mode: { kind: 'epsilon-greedy', epsilon: 0.5 }, rng });
 * ```
 */
export class LiveActor implements QPolicy {
  private readonly one: KernelStep;
  /** Arenas' engine (its own rows and memory), made on the first `qValuesMany`. */
  private copies: KernelStep | null = null;

  /** @throws Error where WebAssembly SIMD is unavailable (use {@link makeActor}). */
  constructor(private readonly learner: QLearner) {
    const one = KernelStep.create(learner);
    if (!one) throw new Error('LiveActor needs WebAssembly SIMD, which this runtime lacks: use makeActor (it falls back to TfjsActor)');
    this.one = one;
    one.layout(learner.spec.nAgents);
  }

  resetEpisode(): void {
    this.one.clearMemory(0, this.one.rows);
  }

  qValues(obs: Float32Array, lastActions: Int32Array | null, out: Float32Array): void {
    this.one.writeInputs(0, obs, lastActions);
    this.one.run(out);
  }

  qValuesMany(memories: readonly ActingMemory[], obs: Float32Array, lastActions: Int32Array, out: Float32Array): void {
    (this.copies ??= KernelStep.create(this.learner)!).many(memories, obs, lastActions, out);
  }

  /** Nothing to free (no tensors); kept so actors are interchangeable. */
  dispose(): void {}
}

/**
 * The actor a trainer acts through: a {@link LiveActor}, or a {@link
 * TfjsActor} while {@link useTfjsActing} is on or where WebAssembly SIMD is
 * missing.
 * @example
 * ```ts
 * const actor = makeActor(learner);
 * ```
 */
export function makeActor(learner: QLearner): QPolicy & { dispose(): void } {
  return tfjsActing || !KernelStep.available() ? new TfjsActor(learner) : new LiveActor(learner);
}

/**
 * The reference actor: a {@link QPolicy} over a learner's online agent
 * network through tfjs, one call per step; keeps each agent's GRU hidden
 * state between steps and resets it per episode.
 *
 * @example
 * ```ts
 * const actor = new TfjsActor(learner);
 * runEpisode(env, actor, { mode: { kind: 'epsilon-greedy', epsilon: 0.5 }, rng });
 * actor.dispose();
 * ```
 */
export class TfjsActor implements QPolicy {
  // One env is the K = 1 case of the batched actor.
  private readonly batch: TfjsBatch;

  constructor(learner: QLearner) {
    this.batch = new TfjsBatch(learner, 1);
  }

  resetEpisode(): void {
    this.batch.startEpisode(0);
  }

  qValues(obs: Float32Array, lastActions: Int32Array | null, out: Float32Array): void {
    this.batch.setInputs(0, obs, lastActions);
    this.batch.forward(out);
  }

  dispose(): void {
    this.batch.dispose();
  }
}

/**
 * Acting for K env copies at once: all their agents in one call (rows = K x
 * nAgents), each env with its own GRU memory, cleared when that env starts a
 * new episode. Through the learner's WebAssembly kernel, or tfjs while
 * {@link useTfjsActing} is on or where WebAssembly SIMD is missing.
 *
 * @example
 * ```ts
 * const actor = new BatchActor(learner, 8);
 * actor.startEpisode(3);                    // env 3 was reset
 * actor.setInputs(3, obs, null);            // ... for every env
 * actor.forward(q);                         // q: [8 * nAgents, nActions]
 * ```
 */
export class BatchActor {
  private readonly tfjs: TfjsBatch | null;
  private readonly step: KernelStep | null;

  constructor(
    private readonly learner: QLearner,
    readonly envs: number,
  ) {
    this.step = tfjsActing ? null : KernelStep.create(learner);
    this.step?.layout(envs * learner.spec.nAgents);
    this.tfjs = this.step ? null : new TfjsBatch(learner, envs);
  }

  /** Env `env` begins an episode: its agents' memory is cleared at the next forward. */
  startEpisode(env: number): void {
    const n = this.learner.spec.nAgents;
    if (this.step) this.step.clearMemory(env * n, n);
    else this.tfjs!.startEpisode(env);
  }

  /** Writes env `env`'s agent inputs (observation, previous actions or null at its first step). */
  setInputs(env: number, obs: Float32Array, lastActions: Int32Array | null): void {
    if (this.step) this.step.writeInputs(env * this.learner.spec.nAgents, obs, lastActions);
    else this.tfjs!.setInputs(env, obs, lastActions);
  }

  /** Utilities `[envs * nAgents, nActions]` of every env's agents into `out`. */
  forward(out: Float32Array): void {
    if (this.step) this.step.run(out);
    else this.tfjs!.forward(out);
  }

  dispose(): void {
    this.tfjs?.dispose();
  }
}

/** The tfjs path of {@link BatchActor}: one batched tfjs forward per call. */
class TfjsBatch {
  private hidden: tf.Tensor2D | null = null;
  private readonly inputs: Float32Array;
  private readonly keep: Float32Array;
  private anyReset = true;

  constructor(
    private readonly learner: QLearner,
    readonly envs: number,
  ) {
    const { nAgents } = learner.spec;
    this.inputs = new Float32Array(envs * nAgents * learner.agentShape.inputSize);
    this.keep = new Float32Array(envs * nAgents).fill(1);
  }

  startEpisode(env: number): void {
    const n = this.learner.spec.nAgents;
    this.keep.fill(0, env * n, (env + 1) * n);
    this.anyReset = true;
  }

  setInputs(env: number, obs: Float32Array, lastActions: Int32Array | null): void {
    const { spec, config, agentShape } = this.learner;
    writeStepInputs(this.inputs, env * spec.nAgents * agentShape.inputSize, spec, config, obs, 0, lastActions);
  }

  /** One batched forward of every env's agents: utilities `[envs * nAgents, nActions]` into `out`. */
  forward(out: Float32Array): void {
    const { spec, agentShape } = this.learner;
    const rows = this.envs * spec.nAgents;
    const prev = this.hidden;
    const reset = this.anyReset;
    const x = new AgentInputs(this.inputs, 1, rows, agentShape.inputSize);
    const [q, hidden] = tf.tidy(() => {
      const h0 = prev && reset ? (tf.mul(prev, tf.tensor2d(this.keep, [rows, 1])) as tf.Tensor2D) : prev;
      const o = agentForward(agentShape, this.learner.online.agent, x, h0, { grad: false });
      return o.hidden === null ? [o.q] : [o.q, o.hidden];
    }) as [tf.Tensor3D, tf.Tensor2D?];
    x.dispose();
    out.set(q.dataSync());
    q.dispose();
    prev?.dispose();
    this.hidden = hidden ?? null;
    this.keep.fill(1);
    this.anyReset = false;
  }

  dispose(): void {
    this.hidden?.dispose();
    this.hidden = null;
  }
}
