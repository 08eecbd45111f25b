/**
 * The headless training loop over a pure-TS env: collect an episode
 * epsilon-greedily, hand it to the {@link EpisodeTrainer} (store, update),
 * repeat. The CLI drives this same loop.
 */
import type { QmixConfig } from '../core/config.js';
import { EpisodeBuilder } from '../core/episode.js';
import type { MultiAgentEnv } from '../core/env.js';
import { explorationValue, GREEDY, type ActionMode } from '../core/explore.js';
import { Rng } from '../core/rng.js';
import { runEpisode, type EpisodeResult } from '../core/runner.js';
import { EpisodeTrainer, type TrainerLoopState } from './episode-trainer.js';
import type { UpdateStats } from './learner.js';

/** What one training episode produced. */
export interface TrainEpisodeResult {
  readonly episodeReturn: number;
  readonly steps: number;
  /** Exploration value used (epsilon, or temperature for Boltzmann). */
  readonly exploration: number;
  /** Present when an update ran after this episode. */
  readonly update?: UpdateStats;
  /** Whether the episode was won, when the env defines `won()` (lockstep collection). */
  readonly won?: boolean;
}

/**
 * An {@link EpisodeTrainer} that also drives an env.
 *
 * @example
 * ```ts
 * const trainer = new Trainer(new TwoStepEnv(), { mixer: 'qmix', agent: 'mlp' });
 * for (let i = 0; i < 1000; i++) trainer.trainEpisode();
 * trainer.evaluate(10).meanReturn;
 * trainer.dispose();
 * ```
 */
export class Trainer extends EpisodeTrainer {
  private readonly builder: EpisodeBuilder;
  private readonly envRng: Rng;
  /** Seeds of evaluation episodes: kept apart so evaluating never shifts training. */
  private readonly evalRng: Rng;

  constructor(
    readonly env: MultiAgentEnv,
    config: Partial<QmixConfig> = {},
  ) {
    super(env.spec, config);
    this.builder = new EpisodeBuilder(this.learner.spec);
    this.envRng = new Rng(this.learner.config.seed, 'env');
    this.evalRng = new Rng(this.learner.config.seed, 'eval');
  }

  /** The RNG of exploration (shared with lockstep collection). */
  get explorationRng(): Rng {
    return this.exploreRng;
  }

  /** The seed for the next evaluation episode's env reset (a stream of its own: evaluating never shifts training). */
  nextEvalSeed(): number {
    return this.evalRng.nextUint32();
  }

  /** The seed for the next training episode's env reset. */
  nextEnvSeed(): number {
    return this.envRng.nextUint32();
  }

  /** Collects one exploring episode, stores it, and updates once if a batch is available. */
  trainEpisode(): TrainEpisodeResult {
    const mode = this.explorationMode();
    const result = this.play(mode, this.exploreRng);
    const update = this.submitEpisode(result.record);
    const exploration = explorationValue(mode);
    return { episodeReturn: result.episodeReturn, steps: result.steps, exploration, ...(update ? { update } : {}) };
  }

  /** Greedy decentralised episodes (not stored, not counted). */
  evaluate(episodes: number): { meanReturn: number; returns: number[] } {
    const returns: number[] = [];
    for (let i = 0; i < episodes; i++) returns.push(this.play(GREEDY, null).episodeReturn);
    return { meanReturn: returns.reduce((a, b) => a + b, 0) / Math.max(1, episodes), returns };
  }

  /**
   * Greedy decentralised episodes on another env (a copy, so the training
   * env's episode is not disturbed); counts wins when the env has `won()`.
   */
  evaluateOn(env: MultiAgentEnv, episodes: number): { returns: number[]; wins: number | null } {
    const returns: number[] = [];
    const won = (env as { won?: () => boolean }).won;
    let wins: number | null = typeof won === 'function' ? 0 : null;
    const builder = new EpisodeBuilder(env.spec);
    for (let i = 0; i < episodes; i++) {
      returns.push(runEpisode(env, this.actor, { mode: GREEDY, rng: null, seed: this.nextEvalSeed(), builder }).episodeReturn);
      if (wins !== null && won!.call(env)) wins++;
    }
    return { returns, wins };
  }

  override getLoopState(): TrainerLoopState {
    const s = super.getLoopState();
    return { ...s, rng: { ...s.rng, env: this.envRng.getState() } };
  }

  override setLoopState(s: TrainerLoopState): void {
    const env = Rng.fromState(s.rng?.env ?? []); // validate before anything changes
    super.setLoopState(s);
    this.envRng.setState(env.getState());
  }

  private play(mode: ActionMode, rng: Rng | null): EpisodeResult {
    return runEpisode(this.env, this.actor, { mode, rng, seed: this.nextEnvSeed(), builder: this.builder });
  }
}
