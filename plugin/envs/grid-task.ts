/**
 * What the small game-style grid tasks share: agents on a square grid with
 * five moves (stay, up, down, left, right; moves off the grid unavailable),
 * observations of relative positions, and a team reward paid only when the
 * task is done (minus a small step penalty, as game rewards often are).
 */
import type { EnvObservation, EnvSpec, ObsFeature } from '../core/env.js';

/** Row and column change of each move: stay, up, down, left, right. */
export const GRID_MOVES: readonly (readonly [number, number])[] = [
  [0, 0],
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
];

/** The action names of {@link GRID_MOVES}. */
export const GRID_ACTION_NAMES = Object.freeze(['stay', 'up', 'down', 'left', 'right']);

/** Parses `NxN` (default when empty) into a grid size of at least 3. */
export function parseGridSize(args: string, fallback: number, env: string): number {
  if (args === '') return fallback;
  const m = /^(\d+)x\1$/.exec(args);
  if (!m || Number(m[1]) < 3) throw new Error(`${env} arguments ${JSON.stringify(args)} must look like 6x6 (a square grid of side 3 or more)`);
  return Number(m[1]);
}

/**
 * The spec of a grid task: each agent sees its own cell (2 numbers) and the
 * offsets to the `targets` named in `layout` (2 numbers each).
 */
export function gridSpec(nAgents: number, layout: readonly ObsFeature[], stateSize: number, episodeLimit: number): EnvSpec {
  return Object.freeze({
    nAgents,
    obsSize: layout.reduce((s, f) => s + f.size, 0),
    stateSize,
    nActions: 5,
    episodeLimit,
    obsLayout: Object.freeze(layout.map((f) => Object.freeze({ ...f }))),
    actionNames: GRID_ACTION_NAMES,
  });
}

/**
 * Writes one agent's observation: its own cell scaled to [0, 1], then the
 * offset to each point of `targets` (row, col pairs) scaled by the grid side;
 * and its action mask.
 */
export function writeGridObs(
  out: EnvObservation,
  agent: number,
  size: number,
  row: number,
  col: number,
  targets: ArrayLike<number>,
): void {
  const S = size - 1;
  const O = out.obs.length / (out.avail.length / 5);
  const obs = out.obs as Float32Array;
  let k = agent * O;
  obs[k++] = row / S;
  obs[k++] = col / S;
  for (let i = 0; i < targets.length; i += 2) {
    obs[k++] = (targets[i] - row) / S;
    obs[k++] = (targets[i + 1] - col) / S;
  }
  const avail = out.avail as Uint8Array;
  const m = agent * 5;
  avail[m] = 1;
  avail[m + 1] = row > 0 ? 1 : 0;
  avail[m + 2] = row < S ? 1 : 0;
  avail[m + 3] = col > 0 ? 1 : 0;
  avail[m + 4] = col < S ? 1 : 0;
}
