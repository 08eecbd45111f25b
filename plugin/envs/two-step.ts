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
import type { EnvObservation, EnvSpec, EnvStep, MultiAgentEnv } from '../core/env.js';

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
