/**
 * Acting with the learner's live online weights through tfjs, one env step
 * at a time (the in-process training path). Shipped games use the tfjs-free
 * runtime instead.
 */
import * as tf from './tf.js';
import { writeStepInputs } from '../core/agent-inputs.js';
import type { QPolicy } from '../core/runner.js';
import { AgentInputs, agentForward } from './agent-net.js';
import type { QLearner } from './learner.js';

/**
 * A {@link QPolicy} over a learner's online agent network; keeps each agent's
 * GRU hidden state between steps and resets it per episode.
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
  private readonly batch: BatchActor;

  constructor(learner: QLearner) {
    this.batch = new BatchActor(learner, 1);
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
 * Acting for K env copies at once: all their agents in one batched forward
 * (rows = K x nAgents), each env with its own GRU memory, cleared when that
 * env starts a new episode.
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

  /** Env `env` begins an episode: its agents' memory is cleared at the next forward. */
  startEpisode(env: number): void {
    const n = this.learner.spec.nAgents;
    this.keep.fill(0, env * n, (env + 1) * n);
    this.anyReset = true;
  }

  /** Writes env `env`'s agent inputs (observation, previous actions or null at its first step). */
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
