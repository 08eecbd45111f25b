/**
 * Training on env copies stepped where the learner is (a worker): for a
 * game whose rules implement the env contract, the fastest honest path.
 * K copies step together with one batched forward for all their agents;
 * finished episodes are stored and the caller runs the updates at the ratio
 * it keeps. Now and then a round of greedy test episodes on seeds never
 * trained on scores the current policy; the best one is kept.
 */
import type { QmixConfig } from '../core/config.js';
import type { MultiAgentEnv } from '../core/env.js';
import { LockstepCollector } from '../learn/lockstep.js';
import { Trainer } from '../learn/trainer.js';
import type { PolicyFile } from '../runtime/policy-file.js';
import { GreedyTester, makeRulesEnv, type RulesTestResult } from './greedy-tester.js';

export type { RulesTestResult } from './greedy-tester.js';

/** What {@link RulesRunner} is told (the worker's `rules` option). */
export interface RulesRunnerOptions {
  /** A registered env name. */
  readonly env: string;
  /**
   * Env copies stepped together. 0 (worker option only): the worker steps
   * none and trains on the game's episodes, but still runs the greedy tests
   * on the rules (keep-best and stop-when-solved for training arenas or the
   * scene alone).
   */
  readonly copies: number;
  /** Greedy test episodes every this many env steps (0: never). */
  readonly testEvery: number;
  readonly testEpisodes: number;
  /** A test score (win rate, else mean return) at which training is solved; null: never. */
  readonly stopAt: number | null;
}

/** Training episodes finished since the last {@link RulesRunner.takeWindow}. */
export interface RulesWindow {
  readonly episodes: number;
  readonly returnMean: number;
  /** Null when the env has no `won()`. */
  readonly winRate: number | null;
}

/**
 * @example
 * ```ts
 * const runner = new RulesRunner({ env: 'carrot-heist', copies: 8, testEvery: 10_000, testEpisodes: 100, stopAt: 0.9 }, config);
 * while (!done) {
 *   runner.collect(8, () => owed >= 1);   // about 8 ms of env steps
 *   runner.trainer.trainOnce();
 *   if (runner.testDue()) post(runner.test());
 * }
 * ```
 */
export class RulesRunner {
  readonly trainer: Trainer;
  private readonly collector: LockstepCollector;
  private readonly tester: GreedyTester;
  private window = { episodes: 0, returns: 0, wins: 0, hasWins: false };

  /**
   * @throws Error naming the env when it is not registered in this thread,
   *   or when its copies disagree with each other.
   */
  constructor(
    private readonly o: RulesRunnerOptions,
    config: Partial<QmixConfig>,
  ) {
    const envs = Array.from({ length: o.copies }, () => makeRulesEnv(o.env));
    this.trainer = new Trainer(envs[0], config);
    this.collector = new LockstepCollector(this.trainer, envs, { train: false });
    const trainer = this.trainer;
    this.tester = new GreedyTester(o, {
      learner: trainer.learner,
      nextSeed: () => trainer.nextEvalSeed(),
      envSteps: () => trainer.envSteps,
      exportPolicy: () => trainer.exportPolicy(),
    });
  }

  /** The env spec training runs on. */
  get spec(): MultiAgentEnv['spec'] {
    return this.trainer.learner.spec;
  }

  /**
   * Steps all copies together (one decision each per step) for up to
   * `budgetMs`, or until `enough()` says so after a step.
   * @returns env steps collected and episodes finished (stored in the replay)
   */
  collect(budgetMs: number, enough: (finishedEpisodes: number) => boolean): { steps: number; episodes: number } {
    const t0 = performance.now();
    const before = this.trainer.envSteps;
    let episodes = 0;
    do {
      for (const r of this.collector.step()) {
        episodes++;
        this.window.episodes++;
        this.window.returns += r.episodeReturn;
        if (r.won !== undefined) {
          this.window.hasWins = true;
          this.window.wins += r.won ? 1 : 0;
        }
      }
    } while (!enough(episodes) && performance.now() - t0 < budgetMs);
    return { steps: this.trainer.envSteps - before, episodes };
  }

  /** The training episodes since the last call (for metrics). */
  takeWindow(): RulesWindow {
    const w = this.window;
    this.window = { episodes: 0, returns: 0, wins: 0, hasWins: false };
    return { episodes: w.episodes, returnMean: w.episodes > 0 ? w.returns / w.episodes : Number.NaN, winRate: w.hasWins && w.episodes > 0 ? w.wins / w.episodes : null };
  }

  /** Whether the env-step count reached the next test. */
  testDue(): boolean {
    return this.tester.testDue();
  }

  /** Runs a round of greedy decentralised test episodes and keeps the policy when it is the best so far (later rounds win ties). */
  test(): RulesTestResult {
    return this.tester.test();
  }

  /** The policy of the best test so far (null before a test). */
  get bestPolicy(): PolicyFile | null {
    return this.tester.bestPolicy;
  }

  dispose(): void {
    this.collector.dispose();
    this.trainer.dispose();
  }
}
