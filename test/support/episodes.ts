// Hand-made episodes for tests: small, explicit numbers.
import { Rng, type EnvSpec, type EpisodeRecord } from '../../plugin/core/index.js';

/**
 * An episode of `length` steps where obs/state values encode (step, agent)
 * as step * 10 + agent + 1, so positions in a collated batch can be checked.
 */
export function makeEpisode(spec: EnvSpec, length: number, terminated: boolean, rewards?: number[]): EpisodeRecord {
  const n = spec.nAgents;
  const obs = new Float32Array((length + 1) * n * spec.obsSize);
  for (let t = 0; t <= length; t++) for (let a = 0; a < n; a++) obs.fill(t * 10 + a + 1, (t * n + a) * spec.obsSize, (t * n + a + 1) * spec.obsSize);
  const state = new Float32Array((length + 1) * spec.stateSize);
  for (let t = 0; t <= length; t++) state.fill(100 + t, t * spec.stateSize, (t + 1) * spec.stateSize);
  const avail = new Uint8Array((length + 1) * n * spec.nActions).fill(1);
  const actions = new Int32Array(length * n);
  for (let i = 0; i < actions.length; i++) actions[i] = i % spec.nActions;
  return {
    length,
    terminated,
    obs,
    state,
    avail,
    actions,
    rewards: Float32Array.from(rewards ?? Array.from({ length }, (_, t) => t + 1)),
  };
}

export const SMALL_SPEC: EnvSpec = Object.freeze({ nAgents: 2, obsSize: 3, stateSize: 2, nActions: 3, episodeLimit: 5 });

/** Random episodes (random lengths, values, masks and ends) for shape and leak tests. */
export function randomEpisodes(spec: EnvSpec, count: number, seed: number, opts: { length?: number } = {}): EpisodeRecord[] {
  const rng = new Rng(seed, 'random-episodes');
  const n = spec.nAgents;
  const A = spec.nActions;
  return Array.from({ length: count }, () => {
    const L = opts.length ?? 1 + rng.int(spec.episodeLimit);
    const avail = new Uint8Array((L + 1) * n * A);
    for (let i = 0; i < (L + 1) * n; i++) {
      for (let u = 0; u < A; u++) avail[i * A + u] = rng.next() < 0.7 ? 1 : 0;
      avail[i * A + rng.int(A)] = 1;
    }
    const actions = new Int32Array(L * n);
    for (let i = 0; i < L * n; i++) {
      do actions[i] = rng.int(A);
      while (avail[i * A + actions[i]] === 0);
    }
    return {
      length: L,
      terminated: L < spec.episodeLimit && rng.next() < 0.7,
      obs: Float32Array.from({ length: (L + 1) * n * spec.obsSize }, () => rng.uniform(-1, 1)),
      state: Float32Array.from({ length: (L + 1) * spec.stateSize }, () => rng.uniform(-1, 1)),
      avail,
      actions,
      rewards: Float32Array.from({ length: L }, () => rng.uniform(-1, 2)),
    };
  });
}
