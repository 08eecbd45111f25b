/** What a learner reports per update, and what it saves to continue exactly where it was. */
import type { OptimizerState } from './optimizers.js';

/** What one update measured. */
export interface UpdateStats {
  /** Masked mean squared TD error (the loss that was minimised). */
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Mean Q_tot (or mean utility for IQL) of the taken actions over real steps. */
  readonly qTotMean: number;
  /** Mean TD target over real steps. */
  readonly targetMean: number;
  /** Mean absolute TD error over real steps. */
  readonly tdErrorAbs: number;
  /** Updates done so far, this one included. */
  readonly updates: number;
  /** Whether this update ended with a hard target copy. */
  readonly targetUpdated: boolean;
  /** Largest |reward| on the batch's real steps, as trained on (after standardisation when it is on). */
  readonly rewardAbsMax: number;
}

/** Weights of one network as name -> values. */
export type WeightMap = Record<string, Float32Array>;

/** Everything a learner needs to continue exactly where it was (see {@link QLearner.getState}). */
export interface LearnerState {
  readonly updates: number;
  readonly lastTargetUpdateEpisode: number;
  readonly rewardStats: { readonly mean: number; readonly variance: number; readonly count: number };
  readonly optimizer: OptimizerState;
  readonly online: { readonly agent: WeightMap; readonly mixer: WeightMap };
  readonly target: { readonly agent: WeightMap; readonly mixer: WeightMap };
}
