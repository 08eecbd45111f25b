/**
 * Episode records on typed arrays: one finished episode as the runner (or a
 * Phaser squad) produces it, and the builder that fills one step by step
 * without allocating.
 *
 * Layout follows pymarl's episode batch: observations, states and masks are
 * stored for `length + 1` time steps (the last one is what the team saw after
 * its final action, needed to bootstrap), actions and rewards for `length`.
 */
import type { EnvObservation, EnvSpec, EnvStep } from './env.js';
import { EnvContractError } from './errors.js';

/** One finished episode. All arrays are owned by the record (transferable to a worker). */
export interface EpisodeRecord {
  /** Number of transitions (actions taken), 1..episodeLimit. */
  readonly length: number;
  /** True when the last transition was a real end; false when truncated (time limit: bootstrapped). */
  readonly terminated: boolean;
  /** `[length + 1, nAgents, obsSize]` */
  readonly obs: Float32Array;
  /** `[length + 1, stateSize]` */
  readonly state: Float32Array;
  /** `[length + 1, nAgents, nActions]`, 1 = available */
  readonly avail: Uint8Array;
  /** `[length, nAgents]` */
  readonly actions: Int32Array;
  /** `[length]` team rewards */
  readonly rewards: Float32Array;
}

/**
 * Fills an {@link EpisodeRecord} step by step into arrays preallocated for
 * `episodeLimit` steps; `finish()` copies out a record of the real length.
 *
 * @example
 * ```ts
 * const b = new EpisodeBuilder(env.spec);
 * b.begin(env.reset(0));
 * const s = env.step(actions);
 * b.push(actions, s);
 * const record = b.finish(); // after a terminated or truncated step
 * ```
 */
export class EpisodeBuilder {
  private readonly obs: Float32Array;
  private readonly state: Float32Array;
  private readonly avail: Uint8Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float32Array;
  private t = -1;
  private ended = false;
  private endedTerminal = false;

  constructor(readonly spec: EnvSpec) {
    const T = spec.episodeLimit;
    this.obs = new Float32Array((T + 1) * spec.nAgents * spec.obsSize);
    this.state = new Float32Array((T + 1) * spec.stateSize);
    this.avail = new Uint8Array((T + 1) * spec.nAgents * spec.nActions);
    this.actions = new Int32Array(T * spec.nAgents);
    this.rewards = new Float32Array(T);
  }

  /** Transitions pushed so far. */
  get length(): number {
    return Math.max(0, this.t);
  }

  /** Whether the last pushed step ended the episode. */
  get done(): boolean {
    return this.ended;
  }

  /** Starts a new episode from the first observation. */
  begin(first: EnvObservation): void {
    this.t = 0;
    this.ended = false;
    this.endedTerminal = false;
    this.writeObservation(0, first);
  }

  /** Records the actions taken and what followed. */
  push(actions: ArrayLike<number>, step: EnvStep): void {
    const { spec } = this;
    if (this.t < 0) throw new EnvContractError('EpisodeBuilder.push before begin()');
    if (this.ended) throw new EnvContractError('EpisodeBuilder.push after the episode ended');
    if (this.t >= spec.episodeLimit) {
      throw new EnvContractError(`episode longer than episodeLimit ${spec.episodeLimit}: the env must truncate`);
    }
    const n = spec.nAgents;
    for (let a = 0; a < n; a++) this.actions[this.t * n + a] = actions[a];
    this.rewards[this.t] = step.reward;
    this.t++;
    this.writeObservation(this.t, step);
    if (step.terminated || step.truncated || this.t >= spec.episodeLimit) {
      this.ended = true;
      this.endedTerminal = step.terminated;
    }
  }

  /**
   * Ends the episode now (e.g. interrupted by the game) as a truncation if it
   * was not already over, and returns an owned record.
   */
  finish(): EpisodeRecord {
    if (this.t < 1) throw new EnvContractError('an episode needs at least one step before finish()');
    const { spec } = this;
    const L = this.t;
    const n = spec.nAgents;
    return {
      length: L,
      terminated: this.ended && this.endedTerminal,
      obs: this.obs.slice(0, (L + 1) * n * spec.obsSize),
      state: this.state.slice(0, (L + 1) * spec.stateSize),
      avail: this.avail.slice(0, (L + 1) * n * spec.nActions),
      actions: this.actions.slice(0, L * n),
      rewards: this.rewards.slice(0, L),
    };
  }

  private writeObservation(t: number, o: EnvObservation): void {
    const { spec } = this;
    this.obs.set(o.obs, t * spec.nAgents * spec.obsSize);
    this.state.set(o.state, t * spec.stateSize);
    this.avail.set(o.avail, t * spec.nAgents * spec.nActions);
  }
}

/**
 * Checks that a record fits a spec: lengths, finite values, action indices in
 * range and available where taken. Run on every record that crosses a
 * boundary (from a game, a worker message or a file).
 * @throws {@link EnvContractError} naming the field and the problem.
 * @example
 * ```ts
 * validateEpisode(env.spec, record); // e.g. "episode.rewards has length 2, expected 3 for 3 steps"
 * ```
 */
export function validateEpisode(spec: EnvSpec, ep: EpisodeRecord): void {
  const L = ep.length;
  if (!Number.isInteger(L) || L < 1 || L > spec.episodeLimit) {
    throw new EnvContractError(`episode length ${String(L)} is invalid: expected an integer in [1, ${spec.episodeLimit}]`);
  }
  if (typeof ep.terminated !== 'boolean') throw new EnvContractError('episode.terminated must be a boolean');
  const n = spec.nAgents;
  const want: [string, ArrayLike<number>, number, string][] = [
    ['obs', ep.obs, (L + 1) * n * spec.obsSize, 'Float32Array'],
    ['state', ep.state, (L + 1) * spec.stateSize, 'Float32Array'],
    ['avail', ep.avail, (L + 1) * n * spec.nActions, 'Uint8Array'],
    ['actions', ep.actions, L * n, 'Int32Array'],
    ['rewards', ep.rewards, L, 'Float32Array'],
  ];
  for (const [name, arr, len, type] of want) {
    if (arr == null || arr.constructor.name !== type) throw new EnvContractError(`episode.${name} must be a ${type}`);
    if (arr.length !== len) throw new EnvContractError(`episode.${name} has length ${arr.length}, expected ${len} for ${L} steps`);
  }
  for (const [name, arr] of [['obs', ep.obs], ['state', ep.state], ['rewards', ep.rewards]] as const) {
    for (let i = 0; i < arr.length; i++) {
      if (!Number.isFinite(arr[i])) throw new EnvContractError(`episode.${name}[${i}] is ${arr[i]}`);
    }
  }
  for (let t = 0; t < L; t++) {
    for (let a = 0; a < n; a++) {
      const u = ep.actions[t * n + a];
      if (!(u >= 0 && u < spec.nActions)) {
        throw new EnvContractError(`episode action of agent ${a} at step ${t} is ${u}: expected 0..${spec.nActions - 1}`);
      }
      if (ep.avail[(t * n + a) * spec.nActions + u] === 0) {
        throw new EnvContractError(`episode action ${u} of agent ${a} at step ${t} was not available`);
      }
    }
  }
}
