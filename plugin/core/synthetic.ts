/**
 * Synthetic episodes of a given shape (random values, every action
 * available, time-limited): for timing updates before real data exists
 * (the worker's backend trial, benchmarks).
 */
import type { EnvSpec } from './env.js';
import type { EpisodeRecord } from './episode.js';
import { Rng } from './rng.js';

/**
 * `count` episodes of exactly `length` steps shaped like `spec`.
 * @example
 * ```ts
 * const batch = collateEpisodes(spec, syntheticEpisodes(spec, 32, 50, 1));
 * ```
 */
export function syntheticEpisodes(spec: EnvSpec, count: number, length: number, seed: number): EpisodeRecord[] {
  const rng = new Rng(seed, 'synthetic');
  const L = length;
  const n = spec.nAgents;
  return Array.from({ length: count }, () => ({
    length: L,
    terminated: false,
    obs: Float32Array.from({ length: (L + 1) * n * spec.obsSize }, () => rng.uniform(-1, 1)),
    state: Float32Array.from({ length: (L + 1) * spec.stateSize }, () => rng.uniform(-1, 1)),
    avail: new Uint8Array((L + 1) * n * spec.nActions).fill(1),
    actions: Int32Array.from({ length: L * n }, () => rng.int(spec.nActions)),
    rewards: Float32Array.from({ length: L }, () => rng.uniform(-1, 1)),
  }));
}
