/**
 * The in-process training loop: collect an episode epsilon-greedily, store
 * it, do one update per episode once the buffer holds a batch (pymarl's
 * default). The worker and CLI layers drive this same loop.
 */
import type { QmixConfig } from '../core/config.js';
import { EpisodeBuilder } from '../core/episode.js';
import type { MultiAgentEnv } from '../core/env.js';
import { GREEDY, type ActionMode } from '../core/explore.js';
import { EpisodeBuffer } from '../core/replay.js';
import { Rng } from '../core/rng.js';
import { runEpisode, type EpisodeResult } from '../core/runner.js';
import { makeSchedule, type Schedule } from '../core/schedules.js';
import type { PolicyFile } from '../runtime/policy-file.js';
import type { PackedCheckpoint } from '../core/checkpoint-format.js';
import { TfjsActor } from './actor.js';
import { makeCheckpoint, restoreCheckpoint } from './checkpoint.js';
import { exportPolicy } from './policy-export.js';
import { QLearner, type UpdateStats } from './learner.js';

/** Where the training loop stands (see {@link Trainer.getLoopState}). */
export interface TrainerLoopState {
  readonly envSteps: number;
  readonly episodes: number;
  readonly rng: { readonly explore: readonly number[]; readonly sample: readonly number[]; readonly env: readonly number[] };
}

/** What one training episode produced. */
export interface TrainEpisodeResult {
  readonly episodeReturn: number;
  readonly steps: number;
  /** Exploration value used (epsilon, or temperature for Boltzmann). */
  readonly exploration: number;
  /** Present when an update ran after this episode. */
  readonly update?: UpdateStats;
}

/**
 * Owns an env, a replay buffer, a learner and an actor.
 *
 * @example
 * ```ts
 * const trainer = new Trainer(new TwoStepEnv(), { mixer: 'qmix', agent: 'mlp' });
 * for (let i = 0; i < 1000; i++) trainer.trainEpisode();
 * trainer.evaluate(10).meanReturn;
 * trainer.dispose();
 * ```
 */
export class Trainer {
  readonly learner: QLearner;
  readonly buffer: EpisodeBuffer;
  private readonly actor: TfjsActor;
  private readonly builder: EpisodeBuilder;
  private readonly exploreRng: Rng;
  private readonly sampleRng: Rng;
  private readonly envRng: Rng;
  private readonly schedule: Schedule;
  private envStepCount = 0;
  private episodeCount = 0;

  constructor(
    readonly env: MultiAgentEnv,
    config: Partial<QmixConfig> = {},
  ) {
    this.learner = new QLearner(env.spec, config);
    const c = this.learner.config;
    this.buffer = new EpisodeBuffer(this.learner.spec, c.bufferSize);
    this.actor = new TfjsActor(this.learner);
    this.builder = new EpisodeBuilder(this.learner.spec);
    this.exploreRng = new Rng(c.seed, 'explore');
    this.sampleRng = new Rng(c.seed, 'sample');
    this.envRng = new Rng(c.seed, 'env');
    this.schedule =
      c.exploration === 'boltzmann'
        ? makeSchedule(c.epsilonSchedule, c.temperatureStart, c.temperatureFinish, c.epsilonAnnealTime)
        : makeSchedule(c.epsilonSchedule, c.epsilonStart, c.epsilonFinish, c.epsilonAnnealTime);
  }

  /** Env steps collected in training episodes. */
  get envSteps(): number {
    return this.envStepCount;
  }

  /** Training episodes collected. */
  get episodes(): number {
    return this.episodeCount;
  }

  /** The exploration mode at the current env step. */
  explorationMode(): ActionMode {
    const v = this.schedule.at(this.envStepCount);
    return this.learner.config.exploration === 'boltzmann' ? { kind: 'boltzmann', temperature: v } : { kind: 'epsilon-greedy', epsilon: v };
  }

  /** Collects one exploring episode, stores it, and updates once if a batch is available. */
  trainEpisode(): TrainEpisodeResult {
    const mode = this.explorationMode();
    const result = this.play(mode, this.exploreRng);
    this.buffer.insert(result.record);
    this.envStepCount += result.steps;
    this.episodeCount++;
    const { batchSize } = this.learner.config;
    const update = this.buffer.size >= batchSize ? this.learner.update(this.buffer.sample(batchSize, this.sampleRng), this.episodeCount) : undefined;
    const exploration = mode.kind === 'boltzmann' ? mode.temperature : mode.kind === 'epsilon-greedy' ? mode.epsilon : 0;
    return { episodeReturn: result.episodeReturn, steps: result.steps, exploration, ...(update ? { update } : {}) };
  }

  /** Greedy decentralised episodes (not stored, not counted). */
  evaluate(episodes: number): { meanReturn: number; returns: number[] } {
    const returns: number[] = [];
    for (let i = 0; i < episodes; i++) returns.push(this.play(GREEDY, null).episodeReturn);
    return { meanReturn: returns.reduce((a, b) => a + b, 0) / Math.max(1, episodes), returns };
  }

  /** Loop position and RNG states (for checkpoints). */
  getLoopState(): TrainerLoopState {
    return {
      envSteps: this.envStepCount,
      episodes: this.episodeCount,
      rng: { explore: this.exploreRng.getState(), sample: this.sampleRng.getState(), env: this.envRng.getState() },
    };
  }

  /** Restores {@link Trainer.getLoopState} (checked first). */
  setLoopState(s: TrainerLoopState): void {
    const counts = [s.envSteps, s.episodes];
    if (counts.some((c) => !Number.isInteger(c) || c < 0)) throw new Error(`trainer counters are invalid: ${counts.join(', ')}`);
    const rngs = [s.rng?.explore, s.rng?.sample, s.rng?.env];
    // Rng.fromState validates each state before anything changes.
    const [explore, sample, env] = rngs.map((r) => Rng.fromState(r ?? []));
    this.exploreRng.setState(explore.getState());
    this.sampleRng.setState(sample.getState());
    this.envRng.setState(env.getState());
    this.envStepCount = s.envSteps;
    this.episodeCount = s.episodes;
  }

  /**
   * A checkpoint of everything needed to continue exactly: learner state,
   * loop position, RNG states, config, spec, and optionally the replay buffer.
   * @example
   * ```ts
   * await saveCheckpointDir('runs/guards/checkpoint', trainer.checkpoint({ includeBuffer: true }));
   * ```
   */
  checkpoint(opts: { includeBuffer?: boolean } = {}): PackedCheckpoint {
    return makeCheckpoint(this, opts);
  }

  /**
   * Continues from a checkpoint made by a trainer of the same config and env
   * spec; anything else is refused with the differences named, and this
   * trainer is left untouched.
   */
  restore(checkpoint: PackedCheckpoint): void {
    restoreCheckpoint(this, checkpoint);
  }

  /** The policy file of the current online agent network, with this trainer's counts. */
  exportPolicy(): PolicyFile {
    return exportPolicy(this.learner, { episodes: this.episodeCount, envSteps: this.envStepCount });
  }

  dispose(): void {
    this.actor.dispose();
    this.learner.dispose();
  }

  private play(mode: ActionMode, rng: Rng | null): EpisodeResult {
    return runEpisode(this.env, this.actor, { mode, rng, seed: this.envRng.nextUint32(), builder: this.builder });
  }
}
