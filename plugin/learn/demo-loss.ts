/**
 * The inputs of DQfD's large-margin loss (Hester et al. 2018) for the
 * demonstration rows of a batch: per agent and step, the margin each action
 * gets added before the max (0 for the demonstrated action, `margin` for the
 * others, `unavailable` for actions that were not available), and which
 * rows the loss covers.
 */
import type { EpisodeBatch } from '../core/replay.js';

/**
 * Margins `[T, B * nAgents, nActions]` and mask `[T, B * nAgents]` for the
 * first `demoRows` episodes of `batch`, time-major like the learner's
 * utilities; `count` is the rows covered (at least 1, to divide by).
 * @example
 * ```ts
 * const { margins, mask, count } = demoMarginArrays(batch, 8, 0.8, -9999999);
 * ```
 */
export function demoMarginArrays(batch: EpisodeBatch, demoRows: number, margin: number, unavailable: number): { T: number; rows: number; A: number; margins: Float32Array; mask: Float32Array; count: number } {
  const { batchSize: B, maxT: T, nAgents: N, nActions: A } = batch;
  const rows = B * N;
  const margins = new Float32Array(T * rows * A);
  const mask = new Float32Array(T * rows);
  let count = 0;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < demoRows; b++) {
      if (batch.filled[t * B + b] !== 1) continue;
      for (let a = 0; a < N; a++) {
        const r = t * rows + b * N + a;
        const demo = batch.actions[r];
        mask[r] = 1;
        count++;
        // Actions not available at this step never win the max (as in the targets).
        for (let u = 0; u < A; u++) margins[r * A + u] = batch.avail[r * A + u] === 0 ? unavailable : u === demo ? 0 : margin;
      }
    }
  }
  return { T, rows, A, margins, mask, count: Math.max(1, count) };
}
