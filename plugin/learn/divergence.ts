/**
 * Divergence guard: after each update, a loss or gradient norm that is not
 * finite, or a loss no sane Q-function can have, rolls the learner back to
 * its last good snapshot (weights, target, optimiser and counters). Training
 * goes on from there on other batches; after `maxRollbacks` rollbacks with no
 * good snapshot between them it stops with a {@link DivergenceError}.
 *
 * Not in the paper or pymarl (which train on into NaN): a departure that
 * changes nothing while training is healthy, except a copy of the learner's
 * state every `snapshotEvery` updates.
 *
 * "No sane Q-function": with |r| <= R on the rewards the learner trains on
 * (after standardisation) and episodes of at most T steps, every return is
 * within B = R * min(T, 1 / (1 - gamma)), so a TD error past 2B + R means Q
 * values far outside anything reachable. The loss (a mean squared TD error)
 * is called exploded past `lossFactor` times (2B + R)^2 (and at least
 * `lossFactor`): with the default 100 a legitimately large loss stays under
 * the line, and a run with lr = 1 (losses of 1e21) crosses it within a few updates.
 *
 * The bound also scales with the first update's loss (after a start or a
 * restore): freshly initialised networks on large raw observations (LBF's
 * coordinates and levels) can start with Q values of 10 or more while every
 * reward so far is 0, a loss of hundreds that no update caused. Judged by the
 * rewards alone, that first update "diverged", the rollback returned to the
 * same weights, and training stopped before it began.
 */
import type { PackedCheckpoint } from '../core/checkpoint-format.js';
import type { PolicyFile } from '../runtime/policy-file.js';
import type { LearnerState, QLearner, UpdateStats } from './learner.js';

/** Settings of the guard (see {@link EpisodeTrainer.setDivergenceGuard}). */
export interface DivergenceSettings {
  /** Updates between snapshots of the learner's state (the point a rollback returns to). Default 100. */
  readonly snapshotEvery: number;
  /** Rollbacks in a row (no good snapshot between) before training stops with a DivergenceError. Default 3. */
  readonly maxRollbacks: number;
  /** How far past the largest possible squared TD error a loss may go (see the module). Default 100. */
  readonly lossFactor: number;
}

/** The defaults of {@link DivergenceSettings}. */
export const DIVERGENCE_DEFAULTS: DivergenceSettings = Object.freeze({ snapshotEvery: 100, maxRollbacks: 3, lossFactor: 100 });

/** What a rollback reports. */
export interface RollbackInfo {
  /** The update that diverged (its count before the rollback). */
  readonly update: number;
  /** Why, in words: "loss Infinity", "gradient norm NaN", "loss 7.1e+21 past the bound 1.6e+5". */
  readonly reason: string;
  readonly loss: number;
  readonly gradNorm: number;
  /** The update count of the snapshot training went back to. */
  readonly rolledBackTo: number;
  /** Rollbacks in a row so far, this one included. */
  readonly rollbacks: number;
  readonly maxRollbacks: number;
}

/**
 * Training stopped after repeated rollbacks. The learner holds the last good
 * snapshot's state when this is thrown, so it can still be saved.
 * @example
 * ```ts
 * try { trainer.trainOnce(); } catch (e) { if (e instanceof DivergenceError) console.error(e.message); }
 * ```
 */
export class DivergenceError extends Error {
  /**
   * Set by {@link train} before it frees its trainer: the last good state's
   * checkpoint (without the replay buffer, which holds what diverged) and policy.
   */
  lastGood?: { readonly checkpoint: PackedCheckpoint; readonly policy: PolicyFile };

  constructor(
    message: string,
    readonly last: RollbackInfo,
  ) {
    super(message);
    this.name = 'DivergenceError';
  }
}

/**
 * Keeps the last good snapshot of a learner and judges each update.
 * @example
 * ```ts
 * const guard = new DivergenceGuard(DIVERGENCE_DEFAULTS, { gamma: 0.99, episodeLimit: 50 });
 * guard.before(learner);
 * const info = guard.after(learner, learner.update(batch)); // a RollbackInfo when it rolled back
 * ```
 */
export class DivergenceGuard {
  private good: LearnerState | null = null;
  private inARow = 0;
  private rewardMax = 0;
  /** The loss of the first update since the start or the last forget() (the initial weights' own error); null before it. */
  private startLoss: number | null = null;
  private readonly horizon: number;

  constructor(
    readonly settings: DivergenceSettings,
    spec: { readonly gamma: number; readonly episodeLimit: number },
  ) {
    for (const [k, v] of Object.entries(settings)) {
      if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`divergence guard ${k} must be a number > 0, got ${String(v)}`);
    }
    this.horizon = Math.min(spec.episodeLimit, spec.gamma < 1 ? 1 / (1 - spec.gamma) : Infinity);
  }

  /** The loss above which an update counts as exploded, for the rewards seen so far. */
  get lossBound(): number {
    const td = 2 * this.rewardMax * this.horizon + this.rewardMax;
    return this.settings.lossFactor * Math.max(1, td * td, this.startLoss ?? 0);
  }

  /**
   * Drops the snapshot: the learner's state was replaced (a restored
   * checkpoint, a move to another backend), so the next update snapshots
   * afresh instead of a rollback returning to a state of another run.
   */
  forget(): void {
    this.good = null;
    this.inARow = 0;
    this.startLoss = null;
  }

  /** Call before each update: takes the first snapshot, and one every `snapshotEvery` updates. */
  before(learner: QLearner): void {
    if (this.good === null || learner.updates - this.good.updates >= this.settings.snapshotEvery) {
      const state = learner.getState();
      // Weights that went non-finite without a loss showing it are no snapshot to return to.
      if (this.good !== null && !finiteState(state)) return;
      this.good = state;
      this.inARow = 0;
    }
  }

  /**
   * Judges an update: when it diverged, restores the last good snapshot and
   * returns what happened; throws a {@link DivergenceError} (after restoring)
   * when that makes `maxRollbacks` in a row.
   */
  after(learner: QLearner, stats: UpdateStats): RollbackInfo | null {
    if (Number.isFinite(stats.rewardAbsMax)) this.rewardMax = Math.max(this.rewardMax, stats.rewardAbsMax);
    // The first update's loss measures the initial weights, not a step that went wrong (a non-finite one still counts as diverged).
    if (this.startLoss === null) this.startLoss = Number.isFinite(stats.loss) ? stats.loss : 0;
    const reason = !Number.isFinite(stats.loss)
      ? `loss ${stats.loss}`
      : !Number.isFinite(stats.gradNorm)
        ? `gradient norm ${stats.gradNorm}`
        : !Number.isFinite(stats.rewardAbsMax)
          ? `a reward of ${stats.rewardAbsMax} after standardisation`
          : stats.loss > this.lossBound
            ? `loss ${stats.loss.toExponential(2)} past the bound ${this.lossBound.toExponential(2)} for rewards up to ${this.rewardMax.toPrecision(3)}`
            : null;
    if (reason === null || this.good === null) return null;
    learner.setState(this.good);
    this.inARow++;
    const info: RollbackInfo = { update: stats.updates, reason, loss: stats.loss, gradNorm: stats.gradNorm, rolledBackTo: this.good.updates, rollbacks: this.inARow, maxRollbacks: this.settings.maxRollbacks };
    if (this.inARow >= this.settings.maxRollbacks) {
      throw new DivergenceError(
        `training diverged ${this.inARow} times in a row (last at update ${info.update}: ${reason}); the learner is back at update ${info.rolledBackTo}. ` +
          `Rewards that large or a learning rate that high do not train: scale the rewards down (or set standardiseRewards), or lower lr`,
        info,
      );
    }
    return info;
  }
}

function finiteState(s: LearnerState): boolean {
  for (const set of [s.online.agent, s.online.mixer, s.target.agent, s.target.mixer]) {
    for (const w of Object.values(set)) for (let i = 0; i < w.length; i++) if (!Number.isFinite(w[i])) return false;
  }
  return true;
}
