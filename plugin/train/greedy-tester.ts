/**
 * Greedy tests where the learner is (a worker): now and then a round of
 * greedy decentralised episodes on env copies of the game's rules, on seeds
 * never trained on, scores the current policy; the best one is kept, and a
 * score at the threshold says the task is solved. Used by rules mode (the
 * worker steps the env copies for training too) and by game-fed training
 * whose page names its rules (training arenas, the scene alone).
 */
import type { EnvObservation, MultiAgentEnv } from '../core/env.js';
import { GREEDY, selectActions } from '../core/explore.js';
import { makeEnv } from '../envs/registry.js';
import { BatchActor } from '../learn/actor.js';
import type { QLearner } from '../learn/learner.js';
import type { PolicyFile } from '../runtime/policy-file.js';

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

/** What the tests need of the training side. */
export interface TestSubject {
  readonly learner: QLearner;
  /** The next evaluation seed (a stream apart from the training seeds). */
  nextSeed(): number;
  envSteps(): number;
  exportPolicy(): PolicyFile;
}

/** Makes one copy of a registered env, naming the fix when the worker script did not register it. */
export function makeRulesEnv(name: string): MultiAgentEnv {
  try {
    return makeEnv(name);
  } catch (e) {
    throw new Error(`rules mode: ${(e as Error).message} (register it in the worker script: import the module that calls registerEnv)`);
  }
}

/**
 * @example
 * ```ts
 * const tester = new GreedyTester({ env: 'carrot-heist', copies: 8, testEvery: 10_000, testEpisodes: 100, stopAt: 0.9 }, subject);
 * if (tester.testDue()) post(tester.test());
 * ```
 */
export class GreedyTester {
  /** Test env copies: the test episodes step them together, one batched forward per step. */
  private readonly testEnvs: MultiAgentEnv[];
  private nextTest: number;
  private bestValue: { score: number; envSteps: number; policy: PolicyFile } | null = null;

  constructor(
    private readonly o: { readonly env: string; readonly copies: number; readonly testEvery: number; readonly testEpisodes: number; readonly stopAt: number | null },
    private readonly subject: TestSubject,
  ) {
    this.testEnvs = Array.from({ length: Math.max(1, o.copies) }, () => makeRulesEnv(o.env));
    this.nextTest = o.testEvery > 0 ? o.testEvery : Infinity;
  }

  /** The env spec the tests play (to check against the squad's). */
  get spec(): MultiAgentEnv['spec'] {
    return this.testEnvs[0].spec;
  }

  /** Whether the env-step count reached the next test. */
  testDue(): boolean {
    return this.subject.envSteps() >= this.nextTest;
  }

  /** Runs a round of greedy decentralised test episodes and keeps the policy when it is the best so far (later rounds win ties). */
  test(): RulesTestResult {
    const t0 = performance.now();
    const envSteps = this.subject.envSteps();
    while (this.nextTest <= envSteps) this.nextTest += this.o.testEvery;
    const n = this.o.testEpisodes;
    const { returns, wins } = this.greedyEpisodes(n);
    const returnMean = returns.reduce((a, b) => a + b, 0) / n;
    const winRate = wins === null ? null : wins / n;
    const score = winRate ?? returnMean;
    const best = this.bestValue === null || score >= this.bestValue.score;
    if (best) this.bestValue = { score, envSteps, policy: this.subject.exportPolicy() };
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

  /** The policy of the best test so far (null before a test). */
  get bestPolicy(): PolicyFile | null {
    return this.bestValue?.policy ?? null;
  }

  /**
   * `n` greedy decentralised episodes over the test copies, one batched
   * forward per step. Episode i uses the i-th evaluation seed, and greedy
   * actions do not depend on the batch, so the returns equal `n` episodes
   * played one at a time (`Trainer.evaluateOn`).
   */
  private greedyEpisodes(n: number): { returns: number[]; wins: number | null } {
    const spec = this.subject.learner.spec;
    const { nAgents: N, nActions: A } = spec;
    const envs = this.testEnvs;
    const actor = new BatchActor(this.subject.learner, envs.length);
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
        current[k] = started < n ? envs[k].reset(this.subject.nextSeed()) : null;
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
}
