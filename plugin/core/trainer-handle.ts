/**
 * The seam between a source of experience (a Phaser squad, a headless loop)
 * and whatever trains on it (in-process now, a Web Worker later): finished
 * episodes go in, an acting policy and update notices come out.
 */
import type { EpisodeRecord } from './episode.js';
import type { ActionMode } from './explore.js';
import type { QPolicy } from './runner.js';

/** What a trainer reports after it updated the acting policy. */
export interface TrainerUpdateInfo {
  /** Learner updates so far. */
  readonly updates: number;
  /** Episodes received so far. */
  readonly episodes: number;
  /** Env steps (decisions) received so far. */
  readonly envSteps: number;
  /** Loss of the latest update. */
  readonly loss: number;
}

/**
 * A trainer a squad can hand its episodes to.
 *
 * @example
 * ```ts
 * const unsubscribe = trainer.onUpdate((info) => console.log(info.updates, info.loss));
 * trainer.submitEpisode(record);
 * ```
 */
export interface SquadTrainer {
  /** Takes a finished episode (the record is handed over: do not reuse its arrays). */
  submitEpisode(episode: EpisodeRecord): void;
  /** The policy to act with: always the latest weights the trainer has made available. */
  readonly policy: QPolicy;
  /** Exploration to use now (epsilon or temperature follows the env steps received). */
  explorationMode(): ActionMode;
  /** Calls `listener` after each update of the acting policy; returns the unsubscribe function. */
  onUpdate(listener: (info: TrainerUpdateInfo) => void): () => void;
  /**
   * Pacing (optional): env steps the squad may still collect before the
   * learner falls behind the training ratio; 0 means wait. A fast-forwarding
   * scene takes no extra steps while any training squad's trainer says 0.
   * Absent: no limit (an in-process trainer keeps up by construction).
   */
  allowance?(): number;
  /** Releases everything the trainer holds (tensors, workers). */
  dispose(): void;
}
