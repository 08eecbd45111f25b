/**
 * Win rates of gardener squads over seeded rounds: the numbers in the README
 * and the benchmark. A squad here is anything that picks each gardener's
 * move from that gardener's own observation and mask (decentralised), such
 * as a shipped policy through the tfjs-free runtime or the scripted chaser.
 */
import { Rng } from '../../plugin/core/rng.js';
import type { GreedyPolicy } from '../../plugin/runtime/greedy-policy.js';
import { CarrotHeistEnv, type HeistEnvOptions } from './env.js';
import { chasingGardener } from './opponents.js';

/** Picks one gardener's move from its own observation and mask. */
export interface GardenerSquadPlayer {
  /** Called when a round starts. */
  reset(): void;
  act(agent: number, obs: Float32Array, avail: Uint8Array): number;
}

/** A shipped policy (greedy, decentralised) as a squad player. */
export function policyPlayer(policy: GreedyPolicy): GardenerSquadPlayer {
  return { reset: () => policy.resetEpisode(), act: (agent, obs, avail) => policy.act(agent, obs, avail) };
}

/** The scripted baseline: each gardener chases on its own. */
export function scriptedPlayer(seed = 0): GardenerSquadPlayer {
  const rng = new Rng(seed, 'scripted-gardeners');
  const random = (): number => rng.next();
  return { reset: () => {}, act: (_agent, obs, avail) => chasingGardener(obs, avail, random) };
}

/** What {@link winRate} measured. */
export interface WinRate {
  readonly episodes: number;
  /** Fraction of rounds in which the rabbit was caught. */
  readonly winRate: number;
  /** Mean ticks of the rounds won (NaN when none). */
  readonly meanTicksToCatch: number;
}

/**
 * Plays `episodes` rounds (env seeds `seed`, `seed + 1`, ...) and counts catches.
 * @example
 * ```ts
 * const r = winRate(policyPlayer(loadPolicy(json)), { rabbit: 'forager' }, 500);
 * console.log(r.winRate);
 * ```
 */
export function winRate(player: GardenerSquadPlayer, env: HeistEnvOptions, episodes: number, seed = 0): WinRate {
  const e = new CarrotHeistEnv(env);
  const { nAgents: n, obsSize: O, nActions: A } = e.spec;
  const actions = new Int32Array(n);
  let wins = 0;
  let ticks = 0;
  for (let k = 0; k < episodes; k++) {
    let o = e.reset(seed + k);
    player.reset();
    for (;;) {
      for (let i = 0; i < n; i++) actions[i] = player.act(i, o.obs.subarray(i * O, (i + 1) * O), o.avail.subarray(i * A, (i + 1) * A));
      const s = e.step(actions);
      o = s;
      if (s.terminated || s.truncated) break;
    }
    if (e.won()) {
      wins++;
      ticks += e.world.t;
    }
  }
  return { episodes, winRate: wins / episodes, meanTicksToCatch: wins > 0 ? ticks / wins : Number.NaN };
}
