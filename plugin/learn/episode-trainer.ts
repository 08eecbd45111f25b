/**
 * Training on episodes that arrive from anywhere (a Phaser squad, a
 * headless env loop): store each in the replay buffer, then update once per
 * episode when a batch is available (pymarl's default), acting with the
 * learner's live weights. Runs in the caller's thread.
 */
import type { PackedCheckpoint } from '../core/checkpoint-format.js';
import type { QmixConfig } from '../core/config.js';
import type { EnvSpec } from '../core/env.js';
import type { EpisodeRecord } from '../core/episode.js';
import type { ActionMode } from '../core/explore.js';
import type { QPolicy } from '../core/runner.js';
import { collateEpisodes, EpisodeBuffer, type EpisodeBatch } from '../core/replay.js';
import { validateEpisode } from '../core/episode.js';
import { Rng } from '../core/rng.js';
import { makeExploration } from '../core/schedules.js';
import type { SquadTrainer, TrainerUpdateInfo } from '../core/trainer-handle.js';
import type { PolicyFile } from '../runtime/policy-file.js';
import { makeActor } from './actor.js';
import { makeCheckpoint, restoreCheckpoint } from './checkpoint.js';
import { DIVERGENCE_DEFAULTS, DivergenceGuard, type DivergenceSettings, type RollbackInfo } from './divergence.js';
import { QLearner, type LearnerState, type UpdateStats } from './learner.js';
import { exportPolicy } from './policy-export.js';

/** Where the training loop stands (see {@link EpisodeTrainer.getLoopState}). */
export interface TrainerLoopState {
  readonly envSteps: number;
  readonly episodes: number;
  /** RNG stream states by name: `explore`, `sample`, and `env` for env-driving trainers. */
  readonly rng: { readonly [stream: string]: readonly number[] };
}

/**
 * A replay buffer, a learner and a live-weights actor behind the
 * {@link SquadTrainer} interface.
 *
 * @example
 * ```ts
 * const trainer = new EpisodeTrainer(spec, { mixer: 'qmix' });
 * squad.setTrainer(trainer); // or: trainer.submitEpisode(record) from your own loop
 * ```
 */
export class EpisodeTrainer implements SquadTrainer {
  private learnerValue: QLearner;
  readonly buffer: EpisodeBuffer;
  protected actor: QPolicy & { dispose(): void };
  protected readonly exploreRng: Rng;
  private readonly sampleRng: Rng;
  private readonly exploration: { at(envSteps: number): ActionMode };
  private readonly listeners = new Set<(info: TrainerUpdateInfo) => void>();
  private readonly rollbackListeners = new Set<(info: RollbackInfo) => void>();
  private guard: DivergenceGuard | null;
  protected envStepCount = 0;
  protected episodeCount = 0;
  private demos: EpisodeRecord[] = [];
  private demoShareValue = 0.25;
  private demoPicks = new Int32Array(0);
  private demoPool = new Int32Array(0);
  private readonly bufferPicks: Int32Array;
  private readonly bufferPool: Int32Array;

  constructor(spec: EnvSpec, config: Partial<QmixConfig> = {}) {
    this.learnerValue = new QLearner(spec, config);
    const c = this.learnerValue.config;
    try {
      this.buffer = new EpisodeBuffer(this.learner.spec, c.bufferSize);
      this.actor = makeActor(this.learner);
    } catch (e) {
      // A buffer too large for the spec: the learner's tensors must not outlive the throw.
      this.learnerValue.dispose();
      throw e;
    }
    this.exploreRng = new Rng(c.seed, 'explore');
    this.sampleRng = new Rng(c.seed, 'sample');
    this.exploration = makeExploration(c);
    this.guard = new DivergenceGuard(DIVERGENCE_DEFAULTS, { gamma: c.gamma, episodeLimit: this.learner.spec.episodeLimit });
    this.bufferPicks = new Int32Array(c.bufferSize);
    this.bufferPool = new Int32Array(c.bufferSize);
  }

  /**
   * Adds demonstration episodes (recorded play, see `parseDemoFile`): they
   * stay in a part of the replay of their own, never overwritten by new
   * episodes, and `share` of every batch (rounded, at most all of them) is
   * drawn from them, the rest from the replay buffer as before. Without
   * demonstrations sampling is exactly as it was. Checkpoints do not hold
   * them: add them again after a restore.
   * @throws EnvContractError when an episode does not fit the spec; RangeError for a share outside 0..1.
   * @example
   * ```ts
   * trainer.addDemonstrations(parseDemoFile(text, trainer.learner.spec).episodes, { share: 0.25 });
   * ```
   */
  addDemonstrations(episodes: readonly EpisodeRecord[], opts: { share?: number } = {}): void {
    const share = opts.share ?? this.demoShareValue;
    if (!(typeof share === 'number' && share >= 0 && share <= 1)) throw new RangeError(`demonstration share must be a number in 0..1, got ${String(share)}`);
    for (const ep of episodes) validateEpisode(this.learner.spec, ep);
    this.demos = this.demos.concat(episodes);
    this.demoShareValue = share;
    this.demoPicks = new Int32Array(this.demos.length);
    this.demoPool = new Int32Array(this.demos.length);
  }

  /** Demonstration episodes held, and the share of each batch drawn from them. */
  get demonstrations(): { readonly episodes: number; readonly share: number } {
    return { episodes: this.demos.length, share: this.demoShareValue };
  }

  /** Demonstration episodes in each batch: the share of the batch, at most all there are. */
  private demosPerBatch(): number {
    return this.demos.length === 0 ? 0 : Math.min(this.demos.length, Math.round(this.learner.config.batchSize * this.demoShareValue));
  }

  /**
   * Updates on demonstrations alone before (or between) training on the
   * game's episodes: `updates` batches of demonstration episodes (all of them
   * when there are fewer than a batch), with DQfD's large-margin loss when
   * `demoLossWeight` is above 0. Returns the last update's stats.
   * @throws Error when no demonstrations were added.
   * @example
   * ```ts
   * const trainer = new EpisodeTrainer(spec, { demoLossWeight: 1 });
   * trainer.addDemonstrations(episodes);
   * trainer.pretrain(500);
   * ```
   */
  pretrain(updates: number): UpdateStats | undefined {
    if (this.demos.length === 0) throw new Error('pretrain needs demonstrations: call addDemonstrations first');
    if (!(Number.isInteger(updates) && updates >= 0)) throw new RangeError(`pretrain updates must be a non-negative integer, got ${String(updates)}`);
    let stats: UpdateStats | undefined;
    const k = Math.min(this.demos.length, this.learner.config.batchSize);
    for (let i = 0; i < updates; i++) {
      this.sampleRng.sampleWithoutReplacement(this.demos.length, k, this.demoPicks, this.demoPool);
      const eps: EpisodeRecord[] = [];
      for (let j = 0; j < k; j++) eps.push(this.demos[this.demoPicks[j]]);
      stats = this.runUpdate(collateEpisodes(this.learner.spec, eps), k);
    }
    return stats;
  }

  /** A batch: from the buffer alone (as pymarl) without demonstrations, else their share from them (first in the batch). */
  private sampleBatch(): EpisodeBatch {
    const B = this.learner.config.batchSize;
    const k = this.demosPerBatch();
    if (k === 0) return this.buffer.sample(B, this.sampleRng);
    const eps: EpisodeRecord[] = [];
    this.sampleRng.sampleWithoutReplacement(this.demos.length, k, this.demoPicks, this.demoPool);
    for (let i = 0; i < k; i++) eps.push(this.demos[this.demoPicks[i]]);
    if (B > k) {
      this.sampleRng.sampleWithoutReplacement(this.buffer.size, B - k, this.bufferPicks, this.bufferPool);
      for (let i = 0; i < B - k; i++) eps.push(this.buffer.episode(this.bufferPicks[i]));
    }
    return collateEpisodes(this.learner.spec, eps);
  }

  /**
   * Sets the divergence guard (see divergence.ts): a non-finite or exploded
   * loss rolls the learner back to its last snapshot, and repeated rollbacks
   * stop training with a DivergenceError. On by default; `false` turns it off.
   * @example
   * ```ts
   * trainer.setDivergenceGuard({ snapshotEvery: 50 });
   * ```
   */
  setDivergenceGuard(settings: Partial<DivergenceSettings> | false): void {
    const c = this.learner.config;
    this.guard = settings === false ? null : new DivergenceGuard({ ...DIVERGENCE_DEFAULTS, ...settings }, { gamma: c.gamma, episodeLimit: this.learner.spec.episodeLimit });
  }

  /**
   * Calls `listener` after each rollback of a diverged update; returns the unsubscribe.
   * @example
   * ```ts
   * trainer.onRollback((r) => console.warn(`rolled back to update ${r.rolledBackTo}: ${r.reason}`));
   * ```
   */
  onRollback(listener: (info: RollbackInfo) => void): () => void {
    this.rollbackListeners.add(listener);
    return () => this.rollbackListeners.delete(listener);
  }

  /** The learner (replaced only by {@link EpisodeTrainer.moveLearner}). */
  get learner(): QLearner {
    return this.learnerValue;
  }

  /** Env steps received in episodes. */
  get envSteps(): number {
    return this.envStepCount;
  }

  /** Episodes received. */
  get episodes(): number {
    return this.episodeCount;
  }

  /** Acts with the learner's current online weights (copied again after every change: no delay). */
  get policy(): QPolicy {
    return this.actor;
  }

  /** The exploration mode at the current env step. */
  explorationMode(): ActionMode {
    return this.exploration.at(this.envStepCount);
  }

  /**
   * Stores an episode and, once the buffer holds a batch, runs one update.
   * @returns the update's stats, or undefined when none ran yet
   */
  submitEpisode(episode: EpisodeRecord): UpdateStats | undefined {
    this.storeEpisode(episode);
    return this.trainOnce();
  }

  /** Stores an episode in the replay buffer (checked against the spec) without training. */
  storeEpisode(episode: EpisodeRecord): void {
    this.buffer.insert(episode);
    this.envStepCount += episode.length;
    this.episodeCount++;
  }

  /** Whether the buffer holds enough episodes for an update (with demonstrations: enough for the rest of a batch). */
  get canTrain(): boolean {
    return this.buffer.size >= this.learner.config.batchSize - this.demosPerBatch();
  }

  /**
   * One update on a sampled batch, if the buffer holds one; listeners hear about it.
   * An update that diverged is rolled back (rollback listeners hear about it; the
   * stats returned are the diverged update's).
   * @throws {@link DivergenceError} after repeated rollbacks (the learner is at the last good snapshot).
   */
  trainOnce(): UpdateStats | undefined {
    if (!this.canTrain) return undefined;
    return this.runUpdate(this.sampleBatch(), this.demosPerBatch());
  }

  /** One update on `batch` (its first `demoRows` episodes demonstrations), under the divergence guard; listeners hear about it. */
  private runUpdate(batch: EpisodeBatch, demoRows: number): UpdateStats {
    this.guard?.before(this.learner);
    const stats = this.learner.update(batch, this.episodeCount, { demoRows });
    const rolledBack = this.guard?.after(this.learner, stats) ?? null;
    if (rolledBack) for (const listener of this.rollbackListeners) listener(rolledBack);
    const info: TrainerUpdateInfo = { updates: stats.updates, episodes: this.episodeCount, envSteps: this.envStepCount, loss: stats.loss };
    for (const listener of this.listeners) listener(info);
    return stats;
  }

  /**
   * Rebuilds the learner on the current tfjs backend from a state taken
   * earlier (used to move off a WebGL context that was lost). The replay
   * buffer, counters and RNG streams stay as they are.
   */
  moveLearner(state: LearnerState): void {
    const old = this.learner;
    const fresh = new QLearner(old.spec, old.config);
    fresh.setState(state);
    this.guard?.forget();
    try {
      this.actor.dispose();
      old.dispose();
    } catch {
      // The old backend may be unusable (a lost context): its tensors die with it.
    }
    this.learnerValue = fresh;
    this.actor = makeActor(fresh);
  }

  onUpdate(listener: (info: TrainerUpdateInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loop position and RNG states (for checkpoints). */
  getLoopState(): TrainerLoopState {
    return { envSteps: this.envStepCount, episodes: this.episodeCount, rng: { explore: this.exploreRng.getState(), sample: this.sampleRng.getState() } };
  }

  /** Restores {@link EpisodeTrainer.getLoopState} (checked first: all or nothing). */
  setLoopState(s: TrainerLoopState): void {
    const counts = [s.envSteps, s.episodes];
    if (counts.some((c) => !Number.isInteger(c) || c < 0)) throw new Error(`trainer counters are invalid: ${counts.join(', ')}`);
    // Rng.fromState validates each state before anything changes.
    const explore = Rng.fromState(s.rng?.explore ?? []);
    const sample = Rng.fromState(s.rng?.sample ?? []);
    this.exploreRng.setState(explore.getState());
    this.sampleRng.setState(sample.getState());
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
    this.guard?.forget();
  }

  /** The policy file of the current online agent network, with this trainer's counts. */
  exportPolicy(): PolicyFile {
    return exportPolicy(this.learner, { episodes: this.episodeCount, envSteps: this.envStepCount });
  }

  dispose(): void {
    this.listeners.clear();
    this.rollbackListeners.clear();
    this.actor.dispose();
    this.learner.dispose();
  }
}
