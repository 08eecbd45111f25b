/**
 * One call that runs a whole training: `train({ env, algo, steps })`. The
 * CLI is a thin shell over it; it runs in Node and in the browser.
 */
import type { PackedCheckpoint } from '../core/checkpoint-format.js';
import type { QmixConfig } from '../core/config.js';
import type { MultiAgentEnv } from '../core/env.js';
import type { EpisodeRecord } from '../core/episode.js';
import { explorationValue } from '../core/explore.js';
import { macrotask } from '../core/macrotask.js';
import { makeEnv } from '../envs/registry.js';
import type { PolicyFile } from '../runtime/policy-file.js';
import { DivergenceError, type RollbackInfo } from './divergence.js';
import { LockstepCollector } from './lockstep.js';
import { Trainer, type TrainEpisodeResult } from './trainer.js';

/** Algorithm names: `iql` is QMIX's learner with no mixer. */
export type Algo = 'qmix' | 'vdn' | 'iql';

/** Options of {@link train}. */
export interface TrainOptions {
  /** A registered env name (see `makeEnv`) or any env object. */
  readonly env: string | MultiAgentEnv;
  readonly algo?: Algo;
  /** Env steps to collect. */
  readonly steps: number;
  readonly seed?: number;
  /** Further hyperparameters (validated; `mixer` and `seed` come from `algo` and `seed`). */
  readonly config?: Partial<QmixConfig>;
  /** Called every `logEvery` env steps and at the end. */
  readonly onProgress?: (p: TrainProgress) => void;
  /** Env steps between progress reports. Default steps / 20. */
  readonly logEvery?: number;
  /** Greedy test episodes per report. Default 10. */
  readonly testEpisodes?: number;
  /** Stops training early (e.g. Ctrl-C); the result says `aborted`. */
  readonly signal?: AbortSignal;
  /**
   * Called when an update diverged (a non-finite or exploded loss) and the
   * learner went back to its last good snapshot. After repeated rollbacks
   * `train` rejects with a {@link DivergenceError} whose `lastGood` holds
   * that snapshot's checkpoint and policy.
   */
  readonly onRollback?: (info: RollbackInfo) => void;
  /** Continue from a checkpoint of the same config and env. */
  readonly resume?: PackedCheckpoint;
  /** Env copies stepped together (all their agents in one batched forward). Default 1. Needs a registered env name when above 1. */
  readonly envs?: number;
  /**
   * Return the policy of the best progress report (highest test win rate
   * when the env defines wins, else highest test return; later reports win
   * ties) instead of the final one. Q-learning's greedy policy can swing
   * between reports; the test episodes use their own seeds, so measure the
   * chosen policy on others. Default false.
   */
  readonly keepBest?: boolean;
  /**
   * Stop when a progress report's test score (win rate when the env defines
   * wins, else mean return) reaches this value; the result says `solved`.
   * With `keepBest` that report's policy is the one kept. Default: never.
   */
  readonly stopAt?: number;
  /**
   * Recorded episodes to train on beside the env's (see `parseDemoFile`):
   * kept apart from the replay ring and drawn at `share` of every batch
   * (default 0.25). Pass them again when resuming: checkpoints do not hold them.
   * @example
   * ```ts
   * await train({ env: 'carrot-heist', steps: 1e5, demonstrations: { episodes: parseDemoFile(text, spec).episodes, share: 0.25 } });
   * ```
   */
  readonly demonstrations?: { readonly episodes: readonly EpisodeRecord[]; readonly share?: number };
  /**
   * Periodic saves, so a crash or a kill loses at most one interval: `save`
   * gets a checkpoint and the policy (the kept best one with `keepBest`)
   * every `everyUpdates` updates or `everyMs` ms since the last save,
   * whichever comes first (0: not by that measure), and is awaited before
   * training goes on. The checkpoint holds the replay buffer only with
   * `includeBuffer` (default false: a full buffer can be hundreds of MB; a
   * resume without it collects a batch again before its next update).
   * @example
   * ```ts
   * await train({ env: 'two-step', steps: 1e6, autosave: { everyUpdates: 1000, everyMs: 300000, save: (cp, policy) => store(cp, policy) } });
   * ```
   */
  readonly autosave?: {
    readonly everyUpdates?: number;
    readonly everyMs?: number;
    readonly includeBuffer?: boolean;
    save(checkpoint: PackedCheckpoint, policy: PolicyFile): Promise<void> | void;
  };
}

/** One progress report (also one line of the CLI's metrics.jsonl). */
export interface TrainProgress {
  readonly envSteps: number;
  readonly episodes: number;
  readonly updates: number;
  /** Mean return of the training episodes since the last report. */
  readonly trainReturnMean: number;
  /** Mean return of greedy decentralised test episodes. */
  readonly testReturnMean: number;
  /** Share of test episodes won, when the env defines `won()`. */
  readonly testWinRate?: number;
  readonly loss: number;
  readonly epsilon: number;
  readonly updatesPerSec: number;
  readonly envStepsPerSec: number;
  readonly elapsedMs: number;
}

/** What {@link train} resolves with. */
export interface TrainResult {
  readonly metrics: TrainProgress;
  /** The final policy, or with `keepBest` the best report's. */
  readonly policy: PolicyFile;
  /** With `keepBest`: the report whose policy was kept. */
  readonly best?: TrainProgress;
  /** The policy at the end of training (the same as `policy` without `keepBest`). */
  readonly finalPolicy: PolicyFile;
  /** Makes a checkpoint of the final state (optionally with the replay buffer). */
  checkpoint(opts?: { includeBuffer?: boolean }): PackedCheckpoint;
  readonly aborted: boolean;
  /** With `stopAt`: whether a report reached it (training stopped there). */
  readonly solved: boolean;
  /** The trainer, still alive: call `dispose()` when done. */
  readonly trainer: Trainer;
}

/**
 * Trains a squad on an env.
 * @example
 * ```ts
 * const result = await train({ env: 'two-step', algo: 'qmix', steps: 3000, seed: 1, onProgress: (p) => console.log(p.testReturnMean) });
 * await writeFile('policy.json', JSON.stringify(result.policy));
 * result.trainer.dispose();
 * ```
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  if (!(Number.isInteger(o.steps) && o.steps > 0)) throw new Error(`steps must be a positive integer, got ${String(o.steps)}`);
  if (o.stopAt !== undefined && !Number.isFinite(o.stopAt)) throw new Error(`stopAt must be a finite number, got ${String(o.stopAt)}`);
  // No algo: the config's mixer says which (so a config file's "mixer": "vdn" is not overridden by a default).
  const mixer = o.config?.mixer;
  const algo = o.algo ?? (mixer === 'none' ? 'iql' : mixer === 'vdn' ? 'vdn' : 'qmix');
  if (!['qmix', 'vdn', 'iql'].includes(algo)) throw new Error(`unknown algo ${JSON.stringify(algo)}: expected qmix, vdn or iql`);
  if (o.algo !== undefined && mixer !== undefined && mixer !== (algo === 'iql' ? 'none' : algo)) {
    throw new Error(`algo ${algo} and the config's mixer ${JSON.stringify(mixer)} disagree: give one of them`);
  }
  const k = o.envs ?? 1;
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`envs must be a positive integer, got ${String(o.envs)}`);
  if (k > 1 && typeof o.env !== 'string') throw new Error('envs > 1 needs a registered env name (to make the copies)');
  const env = typeof o.env === 'string' ? makeEnv(o.env) : o.env;
  const testEnv = typeof o.env === 'string' ? makeEnv(o.env) : o.env;
  const config = { ...o.config, mixer: algo === 'iql' ? 'none' : algo, ...(o.seed !== undefined ? { seed: o.seed } : {}) } as Partial<QmixConfig>;
  const trainer = new Trainer(env, config);
  try {
    return await runTraining(o, trainer, testEnv, k);
  } catch (e) {
    // The learner is back at its last good snapshot: hand that over before the trainer goes.
    if (e instanceof DivergenceError) e.lastGood = { checkpoint: trainer.checkpoint(), policy: trainer.exportPolicy() };
    // The caller never sees this trainer: free its tensors here.
    trainer.dispose();
    throw e;
  }
}

async function runTraining(o: TrainOptions, trainer: Trainer, testEnv: MultiAgentEnv, k: number): Promise<TrainResult> {
  if (o.resume) trainer.restore(o.resume);
  if (o.demonstrations) trainer.addDemonstrations(o.demonstrations.episodes, o.demonstrations.share !== undefined ? { share: o.demonstrations.share } : {});
  if (o.onRollback) trainer.onRollback(o.onRollback);
  const logEvery = o.logEvery ?? Math.max(1, Math.floor(o.steps / 20));
  const started = performance.now();
  let window = { returns: 0, episodes: 0, loss: Number.NaN, at: performance.now(), steps: trainer.envSteps, updates: trainer.learner.updates };
  let nextLog = trainer.envSteps + logEvery;
  let last: TrainProgress | null = null;
  let best: { progress: TrainProgress; policy: PolicyFile } | null = null;
  const score = (p: TrainProgress): number => p.testWinRate ?? p.testReturnMean;
  const report = (): TrainProgress => {
    const now = performance.now();
    const secs = Math.max(1e-3, (now - window.at) / 1000);
    const test = evaluate(trainer, testEnv, o.testEpisodes ?? 10);
    const mode = trainer.explorationMode();
    const p: TrainProgress = {
      envSteps: trainer.envSteps,
      episodes: trainer.episodes,
      updates: trainer.learner.updates,
      trainReturnMean: window.episodes > 0 ? window.returns / window.episodes : Number.NaN,
      testReturnMean: test.mean,
      ...(test.winRate !== undefined ? { testWinRate: test.winRate } : {}),
      loss: window.loss,
      epsilon: explorationValue(mode),
      updatesPerSec: (trainer.learner.updates - window.updates) / secs,
      envStepsPerSec: (trainer.envSteps - window.steps) / secs,
      elapsedMs: now - started,
    };
    window = { returns: 0, episodes: 0, loss: Number.NaN, at: performance.now(), steps: trainer.envSteps, updates: trainer.learner.updates };
    if (o.keepBest && (best === null || score(p) >= score(best.progress))) best = { progress: p, policy: trainer.exportPolicy() };
    o.onProgress?.(p);
    return p;
  };
  const lockstep = k > 1 ? new LockstepCollector(trainer, Array.from({ length: k }, () => makeEnv(o.env as string))) : null;
  const collect = (): TrainEpisodeResult[] => (lockstep ? lockstep.step() : [trainer.trainEpisode()]);
  let sinceYield = 0;
  let solved = false;
  const saving = o.autosave;
  let saved = { updates: trainer.learner.updates, at: performance.now() };
  const saveDue = (): boolean => {
    if (!saving || trainer.learner.updates <= saved.updates) return false;
    const byUpdates = (saving.everyUpdates ?? 0) > 0 && trainer.learner.updates - saved.updates >= saving.everyUpdates!;
    const byTime = (saving.everyMs ?? 0) > 0 && performance.now() - saved.at >= saving.everyMs!;
    return byUpdates || byTime;
  };
  try {
    while (trainer.envSteps < o.steps && !o.signal?.aborted && !solved) {
      for (const r of collect()) {
        window.returns += r.episodeReturn;
        window.episodes++;
        if (r.update) window.loss = r.update.loss;
      }
      if (trainer.envSteps >= nextLog) {
        last = report();
        nextLog += logEvery;
        solved = o.stopAt !== undefined && score(last) >= o.stopAt;
      }
      if (saveDue()) {
        await saving!.save(trainer.checkpoint({ includeBuffer: saving!.includeBuffer === true }), (best as { policy: PolicyFile } | null)?.policy ?? trainer.exportPolicy());
        saved = { updates: trainer.learner.updates, at: performance.now() };
      }
      // Let signals (Ctrl-C) and timers through now and then.
      if (++sinceYield >= 20) {
        sinceYield = 0;
        await macrotask();
      }
    }
  } finally {
    lockstep?.dispose();
  }
  if (!last || last.envSteps !== trainer.envSteps) {
    last = report();
    solved = solved || (o.stopAt !== undefined && score(last) >= o.stopAt);
  }
  const finalPolicy = trainer.exportPolicy();
  const kept = best as { progress: TrainProgress; policy: PolicyFile } | null;
  return {
    metrics: last,
    policy: kept ? kept.policy : finalPolicy,
    ...(kept ? { best: kept.progress } : {}),
    finalPolicy,
    checkpoint: (opts) => trainer.checkpoint(opts),
    aborted: o.signal?.aborted === true,
    solved,
    trainer,
  };
}

/** Greedy decentralised episodes on a separate env copy: mean return and, when the env says, the win rate. */
function evaluate(trainer: Trainer, env: MultiAgentEnv, episodes: number): { mean: number; winRate?: number } {
  if (episodes <= 0) return { mean: Number.NaN };
  const { returns, wins } = trainer.evaluateOn(env, episodes);
  return { mean: returns.reduce((a, b) => a + b, 0) / returns.length, ...(wins !== null ? { winRate: wins / episodes } : {}) };
}
