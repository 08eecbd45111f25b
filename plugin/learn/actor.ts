/**
 * Acting with the learner's live online weights through tfjs, one env step
 * at a time (the in-process training path). Shipped games use the tfjs-free
 * runtime instead.
 */
import * as tf from '@tensorflow/tfjs';
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
  private hidden: tf.Tensor2D | null = null;
  private readonly inputs: Float32Array;

  constructor(private readonly learner: QLearner) {
    const { nAgents } = learner.spec;
    this.inputs = new Float32Array(nAgents * learner.agentShape.inputSize);
  }

  resetEpisode(): void {
    this.hidden?.dispose();
    this.hidden = null;
  }

  qValues(obs: Float32Array, lastActions: Int32Array | null, out: Float32Array): void {
    const { spec, config, agentShape } = this.learner;
    writeStepInputs(this.inputs, 0, spec, config, obs, 0, lastActions);
    const prev = this.hidden;
    const x = new AgentInputs(this.inputs, 1, spec.nAgents, agentShape.inputSize);
    const [q, hidden] = tf.tidy(() => {
      const o = agentForward(agentShape, this.learner.online.agent, x, prev);
      return o.hidden === null ? [o.q] : [o.q, o.hidden];
    }) as [tf.Tensor3D, tf.Tensor2D?];
    x.dispose();
    out.set(q.dataSync());
    q.dispose();
    prev?.dispose();
    this.hidden = hidden ?? null;
  }

  dispose(): void {
    this.resetEpisode();
  }
}
