/**
 * Pacing: the contract between a source of experience (a squad, arenas, a
 * fast-forwarded scene) and a learner that may be slower than it. The
 * config asks for `updatesPerEpisode` updates per episode once the replay
 * holds a batch; that fixes a ratio of env steps per update. When the
 * learner falls behind, a source that can slow down (fast-forward) should:
 * {@link RatioPacer.allowance} says how many more env steps it may collect
 * before the learner would be more than `maxLagUpdates` behind. Exploration
 * follows what the learner has consumed ({@link RatioPacer.consumedSteps}),
 * so epsilon cannot anneal past the updates that were done.
 *
 * Pure TS: the main thread's WorkerTrainer uses it without tfjs.
 */

/** Options of a {@link RatioPacer}. */
export interface PacingOptions {
  /** Updates owed per episode once the buffer holds a batch (fractions allowed). */
  readonly updatesPerEpisode: number;
  /** Episodes needed before the first update (the learner's batch size). */
  readonly batchSize: number;
  /** How many updates the learner may owe before the source should wait. Default 4. */
  readonly maxLagUpdates?: number;
}

/** Where pacing stands (part of a trainer's metrics). */
export interface PacingState {
  /** Updates owed by the ratio and not done yet. */
  readonly lagUpdates: number;
  /** Env steps the source may still collect before the lag limit (Infinity before the first update is owed). */
  readonly allowance: number;
  /** Env steps per update the config asks for (mean episode length / updatesPerEpisode; NaN before an episode). */
  readonly targetStepsPerUpdate: number;
  /** Env steps per update actually in force since the first update was owed (NaN before one was done). */
  readonly stepsPerUpdate: number;
  /** Env steps the learner has consumed: the exploration clock. */
  readonly consumedSteps: number;
}

/**
 * @example
 * ```ts
 * const pacer = new RatioPacer({ updatesPerEpisode: 1, batchSize: 32 });
 * pacer.submitted(record.length);          // a finished episode went to the learner
 * pacer.learnerAt(metrics.updates);        // the learner reported its count
 * if (pacer.allowance() <= 0) fastForward.backOff();
 * exploration.at(pacer.consumedSteps());
 * ```
 */
export class RatioPacer {
  private readonly u: number;
  private readonly batch: number;
  private readonly maxLag: number;
  private episodes = 0;
  private steps = 0;
  /** Env steps in the episodes before updates were owed (the warm-up). */
  private warmupSteps = 0;
  private updates = 0;
  /** Learner updates at the moment this pacer started counting (a resumed learner). */
  private baseUpdates = 0;
  /** Episodes after which each new episode owes updates (the warm-up's end). */
  private owingFrom: number;

  constructor(o: PacingOptions) {
    if (!(o.updatesPerEpisode > 0) || !Number.isFinite(o.updatesPerEpisode)) throw new RangeError(`updatesPerEpisode must be a positive number, got ${o.updatesPerEpisode}`);
    if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw new RangeError(`batchSize must be a positive integer, got ${o.batchSize}`);
    const lag = o.maxLagUpdates ?? 4;
    if (!(lag >= 1)) throw new RangeError(`maxLagUpdates must be at least 1, got ${lag}`);
    this.u = o.updatesPerEpisode;
    this.batch = o.batchSize;
    this.maxLag = lag;
    this.owingFrom = this.batch - 1;
  }

  /**
   * Starts counting again from a learner's position (a restored checkpoint,
   * a restarted worker): its episodes and env steps count as consumed.
   */
  resetTo(p: { episodes: number; envSteps: number; updates: number; bufferSize: number }): void {
    this.episodes = p.episodes;
    this.steps = p.envSteps;
    this.warmupSteps = p.envSteps;
    this.updates = p.updates;
    this.baseUpdates = p.updates;
    // A learner resumed without its replay warms up again until it holds a batch.
    this.owingFrom = p.episodes + Math.max(0, this.batch - 1 - p.bufferSize);
  }

  /** An episode of `length` env steps went to the learner. */
  submitted(length: number): void {
    this.episodes++;
    this.steps += length;
    // The episode that fills the buffer to a batch is the first to owe updates
    // (the worker stores it, then trains): the ones before are the warm-up.
    if (this.episodes <= this.owingFrom) this.warmupSteps = this.steps;
  }

  /** The learner reported `updates` done in total. */
  learnerAt(updates: number): void {
    if (updates > this.updates) this.updates = updates;
  }

  /** Updates the ratio asks for so far, beyond those done when counting began. */
  private owed(): number {
    const owing = this.episodes - this.owingFrom;
    return owing > 0 ? Math.floor(owing * this.u + 1e-9) : 0;
  }

  /** Mean env steps per episode so far (NaN before one). */
  private meanLength(): number {
    return this.episodes > 0 ? this.steps / this.episodes : Number.NaN;
  }

  /** Updates owed and not done yet. */
  lag(): number {
    return Math.max(0, this.owed() - (this.updates - this.baseUpdates));
  }

  /**
   * Env steps the source may still collect before the learner would lag by
   * more than `maxLagUpdates` (or by `maxLag`, for a caller that allows more
   * for a while).
   */
  allowance(maxLag = this.maxLag): number {
    if (this.episodes < this.owingFrom) return Infinity;
    const perUpdate = this.meanLength() / this.u;
    return Math.max(0, (maxLag - this.lag()) * (Number.isFinite(perUpdate) ? perUpdate : 1));
  }

  /**
   * Env steps the learner has consumed: all of the warm-up, then the ratio's
   * steps for each update done (never more than were collected).
   */
  consumedSteps(): number {
    const perUpdate = this.meanLength() / this.u;
    if (!Number.isFinite(perUpdate)) return this.steps;
    return Math.min(this.steps, this.warmupSteps + (this.updates - this.baseUpdates) * perUpdate);
  }

  /** The whole state, for metrics and the editor. */
  state(): PacingState {
    const done = this.updates - this.baseUpdates;
    return {
      lagUpdates: this.lag(),
      allowance: this.allowance(),
      targetStepsPerUpdate: this.meanLength() / this.u,
      stepsPerUpdate: done > 0 ? (this.steps - this.warmupSteps) / done : Number.NaN,
      consumedSteps: this.consumedSteps(),
    };
  }
}
