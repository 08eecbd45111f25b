/**
 * The episode runner: plays one episode of an env with a policy that gives
 * per-agent utilities, choosing actions epsilon-greedily (or greedily), and
 * returns the episode record for the replay buffer.
 */
import { EpisodeBuilder, type EpisodeRecord } from './episode.js';
import { checkObservation, checkStep, type MultiAgentEnv } from './env.js';
import { selectActions, type ActionMode } from './explore.js';
import type { Rng } from './rng.js';

/**
 * Something that gives utilities for one env's agents, one step at a time
 * (a tfjs actor while training, the tfjs-free runtime when shipped).
 */
export interface QPolicy {
  /** Forgets per-episode memory (GRU hidden state). */
  resetEpisode(): void;
  /**
   * Writes `[nAgents, nActions]` utilities for the current step into `out`.
   * @param obs `[nAgents, obsSize]`
   * @param lastActions previous actions, or null at the first step
   */
  qValues(obs: Float32Array, lastActions: Int32Array | null, out: Float32Array): void;
  /**
   * Optional: utilities for several copies of the squad at once (training
   * arenas), one call for all their agents. Each copy keeps its own memory
   * in `memories[k]` instead of the policy's: the policy sizes an empty or
   * foreign one (`hidden` null or of another length) with zeros, and a copy
   * starts an episode by zeroing its `hidden`.
   * @param obs `[copies * nAgents, obsSize]`
   * @param lastActions `[copies * nAgents]`, -1 where a copy has no previous action (its first step)
   * @param out `[copies * nAgents, nActions]`
   */
  qValuesMany?(memories: readonly ActingMemory[], obs: Float32Array, lastActions: Int32Array, out: Float32Array): void;
}

/**
 * The per-episode memory of one copy of a squad (GRU hidden states of all
 * its agents, `[nAgents * hidden]`) when it acts through
 * {@link QPolicy.qValuesMany}. It outlives weight updates: new weights act on
 * the same memory.
 */
export interface ActingMemory {
  hidden: Float32Array | null;
}

/** Outcome of one episode. */
export interface EpisodeResult {
  readonly record: EpisodeRecord;
  /** Sum of team rewards. */
  readonly episodeReturn: number;
  /** Transitions taken. */
  readonly steps: number;
  /** Ended by a real terminal (not a time limit). */
  readonly terminated: boolean;
}

/** Options of {@link runEpisode}. */
export interface RunOptions {
  readonly mode: ActionMode;
  readonly rng: Rng | null;
  /** Seed passed to `env.reset`. */
  readonly seed?: number;
  /** Reused builder, to avoid allocating per episode. */
  readonly builder?: EpisodeBuilder;
}

/**
 * Plays one episode; every env output is checked against the spec.
 * @example
 * ```ts
 * const { record, episodeReturn } = runEpisode(env, actor, { mode: { kind: 'epsilon-greedy', epsilon: 0.1 }, rng });
 * buffer.insert(record);
 * ```
 */
export function runEpisode(env: MultiAgentEnv, policy: QPolicy, opts: RunOptions): EpisodeResult {
  const { spec } = env;
  const builder = opts.builder ?? new EpisodeBuilder(spec);
  const q = new Float32Array(spec.nAgents * spec.nActions);
  const actions = new Int32Array(spec.nAgents);
  let last: Int32Array | null = null;
  let obs = env.reset(opts.seed);
  checkObservation(spec, obs, 'reset');
  builder.begin(obs);
  policy.resetEpisode();
  let ret = 0;
  let terminated = false;
  for (let t = 0; t < spec.episodeLimit; t++) {
    policy.qValues(obs.obs, last, q);
    selectActions(q, obs.avail, spec.nAgents, spec.nActions, opts.mode, opts.rng, actions);
    const step = env.step(actions);
    checkStep(step, `step ${t}`);
    checkObservation(spec, step, `step ${t}`);
    builder.push(actions, step);
    ret += step.reward;
    obs = step;
    last = last ?? new Int32Array(spec.nAgents);
    last.set(actions);
    if (builder.done) {
      terminated = step.terminated;
      break;
    }
  }
  const record = builder.finish();
  return { record, episodeReturn: ret, steps: record.length, terminated };
}
