/**
 * Training on env copies stepped where the learner is (a worker): for a
 * game whose rules implement the env contract, the fastest honest path.
 * K copies step together with one batched forward for all their agents;
 * finished episodes are stored and the caller runs the updates at the ratio
 * it keeps. Now and then a round of greedy test episodes on seeds never
 * trained on scores the current policy; the best one is kept.
 */
import type { QmixConfig } from '../core/config.js';
import type { EnvObservation, MultiAgentEnv } from '../core/env.js';
import { GREEDY, selectActions } from '../core/explore.js';
import { BatchActor } from '../learn/actor.js';
import { makeEnv } from '../envs/registry.js';
import { LockstepCollector } from '../learn/lockstep.js';
import { Trainer } from '../learn/trainer.js';
import type { PolicyFile } from '../runtime/policy-file.js';

/** What {@link RulesRunner} is told (the worker's `rules` option). */
export interface RulesRunnerOptions {
  /** A registered env name. */
  readonly env: string;
  /** Env copies stepped together. */
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

/** One round of greedy tests (the `test` message's body without the counters). */
export interface RulesTestResult {
  /** Test episodes played (on seeds never trained on). */
  readonly episodes: number;
  readonly returnMean: number;
  /** Share of test episodes won, when the env defines `won()`; else null. */
  readonly winRate: number | null;
  /** The score kept-best compares: the win rate, else the mean return. */
  readonly score: number;
  /** This test's policy is now the best so far (kept for export). */
  readonly best: boolean;
  /** The best score so far (this one included) and where it was reached. */
  readonly bestScore: number;
  readonly bestEnvSteps: number;
  /** The score reached `stopAt`: training paused itself. */
  readonly solved: boolean;
  /** Wall time of the test (ms). */
  readonly ms: number;
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
  /** Test env copies, as many as the training copies: greedy tests step them together too. */
  private readonly testEnvs: MultiAgentEnv[];
  private nextTest: number;
  private window = { episodes: 0, returns: 0, wins: 0, hasWins: false };
  private bestValue: { score: number; envSteps: number; policy: PolicyFile } | null = null;

  /**
   * @throws Error naming the env when it is not registered in this thread,
   *   or when its copies disagree with each other.
   */
  constructor(
    private readonly o: RulesRunnerOptions,
    config: Partial<QmixConfig>,
  ) {
    const make = (): MultiAgentEnv => {
      try {
        return makeEnv(o.env);
      } catch (e) {
        throw new Error(`rules mode: ${(e as Error).message} (register it in the worker script: import the module that calls registerEnv)`);
      }
    };
    const envs = Array.from({ length: o.copies }, make);
    this.testEnvs = Array.from({ length: o.copies }, make);
    this.trainer = new Trainer(envs[0], config);
    this.collector = new LockstepCollector(this.trainer, envs, { train: false });
    this.nextTest = o.testEvery > 0 ? o.testEvery : Infinity;
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
    return this.trainer.envSteps >= this.nextTest;
  }

  /** Runs a round of greedy decentralised test episodes and keeps the policy when it is the best so far (later rounds win ties). */
  test(): RulesTestResult {
    const t0 = performance.now();
    while (this.nextTest <= this.trainer.envSteps) this.nextTest += this.o.testEvery;
    const n = this.o.testEpisodes;
    const { returns, wins } = this.greedyEpisodes(n);
    const returnMean = returns.reduce((a, b) => a + b, 0) / n;
    const winRate = wins === null ? null : wins / n;
    const score = winRate ?? returnMean;
    const best = this.bestValue === null || score >= this.bestValue.score;
    if (best) this.bestValue = { score, envSteps: this.trainer.envSteps, policy: this.trainer.exportPolicy() };
    return {
      episodes: n,
      returnMean,
      winRate,
      score,
      best,
      bestScore: this.bestValue!.score,
      bestEnvSteps: this.bestValue!.envSteps,
      solved: this.o.stopAt !== null && score >= this.o.stopAt,
      ms: performance.now() - t0,
    };
  }

  /**
   * `n` greedy decentralised episodes over the test copies, one batched
   * forward per step. Episode i uses the i-th evaluation seed, and greedy
   * actions do not depend on the batch, so the returns equal `n` episodes
   * played one at a time (`Trainer.evaluateOn`).
   */
  private greedyEpisodes(n: number): { returns: number[]; wins: number | null } {
    const spec = this.trainer.learner.spec;
    const { nAgents: N, nActions: A } = spec;
    const envs = this.testEnvs;
    const actor = new BatchActor(this.trainer.learner, envs.length);
    try {
      const q = new Float32Array(envs.length * N * A);
      const actions = new Int32Array(N);
      const current: (EnvObservation | null)[] = envs.map(() => null);
      const last: (Int32Array | null)[] = envs.map(() => null);
      const ret = new Float64Array(envs.length);
      // The episode limit ends an episode even where the env does not say so (as EpisodeBuilder does).
      const steps = new Int32Array(envs.length);
      const returns: number[] = [];
      const hasWins = typeof (envs[0] as { won?: unknown }).won === 'function';
      let wins = 0;
      let started = 0;
      const begin = (k: number): void => {
        current[k] = started < n ? envs[k].reset(this.trainer.nextEvalSeed()) : null;
        if (current[k]) started++;
        last[k] = null;
        ret[k] = 0;
        steps[k] = 0;
        actor.startEpisode(k);
      };
      envs.forEach((_, k) => begin(k));
      while (returns.length < n) {
        envs.forEach((_, k) => current[k] && actor.setInputs(k, current[k]!.obs, last[k]));
        actor.forward(q);
        for (let k = 0; k < envs.length; k++) {
          if (!current[k]) continue;
          selectActions(q.subarray(k * N * A, (k + 1) * N * A), current[k]!.avail, N, A, GREEDY, null, actions);
          const s = envs[k].step(actions);
          ret[k] += s.reward;
          current[k] = s;
          (last[k] ??= new Int32Array(N)).set(actions);
          if (s.terminated || s.truncated || ++steps[k] >= spec.episodeLimit) {
            returns.push(ret[k]);
            if (hasWins && (envs[k] as unknown as { won(): boolean }).won()) wins++;
            begin(k);
          }
        }
      }
      return { returns, wins: hasWins ? wins : null };
    } finally {
      actor.dispose();
    }
  }

  /** The policy of the best test so far (null before a test). */
  get bestPolicy(): PolicyFile | null {
    return this.bestValue?.policy ?? null;
  }

  dispose(): void {
    this.collector.dispose();
    this.trainer.dispose();
  }
}
