/**
 * One-step cooperative matrix games: every agent picks an action once and
 * the team gets payoff[a0][a1]. Observations and state are a constant 1.
 *
 * `NONMONOTONIC_PAYOFF` is the QMIX paper's non-monotonic game: the optimum
 * (0, 0) pays 8 but is surrounded by -12, so monotonic factorisations (QMIX,
 * VDN) under uniform exploration learn the safe 0 instead: a known limitation.
 */
import type { EnvObservation, EnvSpec, EnvStep, MultiAgentEnv } from '../core/env.js';

/** Payoff of the non-monotonic one-step game. */
export const NONMONOTONIC_PAYOFF: readonly (readonly number[])[] = Object.freeze([
  Object.freeze([8, -12, -12]),
  Object.freeze([-12, 0, 0]),
  Object.freeze([-12, 0, 0]),
]);

/**
 * @example
 * ```ts
 * const env = new MatrixGameEnv(NONMONOTONIC_PAYOFF);
 * env.reset();
 * env.step([0, 0]).reward; // 8
 * ```
 */
export class MatrixGameEnv implements MultiAgentEnv {
  readonly spec: EnvSpec;
  private readonly obs = new Float32Array([1, 1]);
  private readonly state = new Float32Array([1]);
  private readonly avail: Uint8Array;

  constructor(readonly payoff: readonly (readonly number[])[] = NONMONOTONIC_PAYOFF) {
    const n = payoff.length;
    if (n < 1 || payoff.some((row) => row.length !== n)) throw new Error('MatrixGameEnv needs a square payoff matrix');
    this.spec = Object.freeze({ nAgents: 2, obsSize: 1, stateSize: 1, nActions: n, episodeLimit: 1 });
    this.avail = new Uint8Array(2 * n).fill(1);
  }

  reset(): EnvObservation {
    return { obs: this.obs, state: this.state, avail: this.avail };
  }

  step(actions: ArrayLike<number>): EnvStep {
    return { obs: this.obs, state: this.state, avail: this.avail, reward: this.payoff[actions[0]][actions[1]], terminated: true, truncated: false };
  }
}
