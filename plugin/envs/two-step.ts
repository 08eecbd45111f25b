/**
 * The two-step cooperative game of the QMIX paper (Rashid et al. 2018, sec. 6.1).
 *
 * State 1: agent 0's action picks the next state (0 -> 2A, 1 -> 2B); agent
 * 1's action does nothing; reward 0. State 2A pays 7 whatever the agents do;
 * state 2B pays [[0, 1], [1, 8]] indexed by (agent 0, agent 1). The episode
 * then terminates. The optimum is 8 (go to 2B, both play 1); VDN cannot
 * represent 2B and settles for 7.
 *
 * Observations and state are the one-hot of the current state (1, 2A, 2B).
 */
import type { QmixConfig } from '../core/config.js';
import type { EnvObservation, EnvSpec, EnvStep, MultiAgentEnv } from '../core/env.js';
import { EpisodeBuilder } from '../core/episode.js';
import { collateEpisodes, type EpisodeBatch } from '../core/replay.js';

/** Index of each state in the one-hot. */
export const TWO_STEP_STATES = Object.freeze({ first: 0, twoA: 1, twoB: 2 });

/** Payoff of state 2B by (agent 0, agent 1) action. */
export const TWO_STEP_PAYOFF_2B: readonly (readonly number[])[] = Object.freeze([Object.freeze([0, 1]), Object.freeze([1, 8])]);

/**
 * @example
 * ```ts
 * const env = new TwoStepEnv();
 * env.reset();
 * env.step([1, 0]);          // to 2B
 * env.step([1, 1]).reward;   // 8
 * ```
 */
export class TwoStepEnv implements MultiAgentEnv {
  readonly spec: EnvSpec = Object.freeze({
    nAgents: 2,
    obsSize: 3,
    stateSize: 3,
    nActions: 2,
    episodeLimit: 2,
    obsLayout: Object.freeze([{ name: 'state.onehot', size: 3 }]),
  });
  private current = 0;
  private t = 0;
  private readonly obs = new Float32Array(6);
  private readonly state = new Float32Array(3);
  private readonly avail = new Uint8Array(4).fill(1);

  reset(): EnvObservation {
    this.current = TWO_STEP_STATES.first;
    this.t = 0;
    return this.observe();
  }

  step(actions: ArrayLike<number>): EnvStep {
    if (this.t >= 2) throw new Error('TwoStepEnv.step after the episode ended: call reset()');
    let reward = 0;
    if (this.t === 0) {
      this.current = actions[0] === 0 ? TWO_STEP_STATES.twoA : TWO_STEP_STATES.twoB;
    } else {
      reward = this.current === TWO_STEP_STATES.twoA ? 7 : TWO_STEP_PAYOFF_2B[actions[0]][actions[1]];
    }
    this.t++;
    return { ...this.observe(), reward, terminated: this.t === 2, truncated: false };
  }

  private observe(): EnvObservation {
    this.state.fill(0);
    this.state[this.current] = 1;
    this.obs.set(this.state, 0);
    this.obs.set(this.state, 3);
    return { obs: this.obs, state: this.state, avail: this.avail };
  }
}

/**
 * The paper's training setup for this game: uniform exploration throughout
 * (epsilon fixed at 1), feed-forward agents on the one-hot state and agent
 * id, a small mixer with 1-layer hypernetworks.
 * @example
 * ```ts
 * const trainer = new Trainer(new TwoStepEnv(), { ...TWO_STEP_UNIFORM_CONFIG, mixer: 'vdn' });
 * ```
 */
export const TWO_STEP_UNIFORM_CONFIG: Readonly<Partial<QmixConfig>> = Object.freeze({
  // The paper's check: pymarl's one-step targets and RMSProp (not the game preset).
  preset: 'pymarl',
  agent: 'mlp',
  obsLastAction: false,
  mixingEmbedDim: 8,
  hypernetLayers: 1,
  epsilonStart: 1,
  epsilonFinish: 1,
  bufferSize: 500,
  batchSize: 32,
  targetUpdateInterval: 100,
});

/** What {@link twoStepQTotTable} needs of a learner. */
export interface QTotProbe {
  qValues(batch: EpisodeBatch): Float32Array;
  mix(qs: Float32Array, states: Float32Array): Float32Array;
}

/**
 * The learned Q_tot of every joint action in state 1 (`step` 0) or in state
 * 2B (`step` 1), as `[[u0=0,u1=0], [0,1]], [[1,0], [1,1]]` (agent 0's action
 * picks the row).
 * @example
 * ```ts
 * twoStepQTotTable(trainer.learner, 1); // ~[[0, 1], [1, 8]] after QMIX training
 * ```
 */
export function twoStepQTotTable(learner: QTotProbe, step: 0 | 1): number[][] {
  const env = new TwoStepEnv();
  const b = new EpisodeBuilder(env.spec);
  b.begin(env.reset());
  b.push([1, 0], env.step([1, 0])); // to 2B
  b.push([1, 1], env.step([1, 1]));
  const batch = collateEpisodes(env.spec, [b.finish()]);
  const q = learner.qValues(batch); // [T+1, 1 episode, 2 agents, 2 actions]
  const q0 = q.subarray(step * 4, step * 4 + 2);
  const q1 = q.subarray(step * 4 + 2, step * 4 + 4);
  const state = batch.state.subarray(step * 3, step * 3 + 3);
  const m = learner.mix(Float32Array.from([q0[0], q1[0], q0[0], q1[1], q0[1], q1[0], q0[1], q1[1]]), Float32Array.from([...state, ...state, ...state, ...state]));
  return [
    [m[0], m[1]],
    [m[2], m[3]],
  ];
}
