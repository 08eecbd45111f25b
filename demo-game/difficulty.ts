/**
 * How hard the trained gardeners play against a person. The shipped squad
 * corners a human-like rabbit in most rounds, so the game offers weaker
 * play: on each move, each gardener blunders with some chance (takes a
 * random open move instead of the squad's). The policy itself is unchanged
 * and keeps deciding every move, so the gardeners still work together when
 * they do not blunder. Training and the scripted squad are never weakened.
 *
 * Catch rates of the shipped squad at each level, 300 seeded rounds of the
 * rules against the scripted rabbits (test/demo/difficulty.test.ts checks
 * that each level is easier than the next): see demo-game/README.md.
 */

/** One level of play. */
export interface DifficultyLevel {
  /** What the title screen shows. */
  readonly label: string;
  /** The chance that a gardener takes a random open move instead of the squad's, per move. */
  readonly blunder: number;
}

/** The levels, easiest first. */
export const DIFFICULTIES = {
  easy: { label: 'Easy', blunder: 0.6 },
  medium: { label: 'Medium', blunder: 0.4 },
  hard: { label: 'Hard', blunder: 0 },
} as const satisfies Record<string, DifficultyLevel>;

export type Difficulty = keyof typeof DIFFICULTIES;

/** The level a new player gets: the squad as it was trained. */
export const DEFAULT_DIFFICULTY: Difficulty = 'hard';

const ORDER = Object.keys(DIFFICULTIES) as Difficulty[];

/** The level `step` places after `d` (wrapping), for the title screen's arrows. */
export function nextDifficulty(d: Difficulty, step: 1 | -1): Difficulty {
  return ORDER[(ORDER.indexOf(d) + step + ORDER.length) % ORDER.length];
}

/** `value` if it names a level, else the default (a stored value from an older build, or none). */
export function parseDifficulty(value: unknown): Difficulty {
  return typeof value === 'string' && value in DIFFICULTIES ? (value as Difficulty) : DEFAULT_DIFFICULTY;
}

/**
 * One gardener's move at a level: the squad's `chosen` move, or with chance
 * `blunder` a uniformly random move among those `open` allows.
 * @param nActions moves are 0 .. nActions - 1
 * @example
 * ```ts
 * const move = weakenMove(squadMove, (a) => world.canMove(cell, a), 5, DIFFICULTIES.easy.blunder, Math.random);
 * ```
 */
export function weakenMove(chosen: number, open: (action: number) => boolean, nActions: number, blunder: number, random: () => number): number {
  if (blunder <= 0 || random() >= blunder) return chosen;
  let count = 0;
  for (let a = 0; a < nActions; a++) if (open(a)) count++;
  // Staying put is always open in Carrot Heist; a mask that opens nothing keeps the squad's move.
  if (count === 0) return chosen;
  let k = Math.floor(random() * count);
  for (let a = 0; a < nActions; a++) if (open(a) && k-- === 0) return a;
  return chosen;
}
