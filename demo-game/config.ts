/** Sizes and timing shared by the demo's scenes. */
import { GARDEN, Maze } from './rules/maze.js';

/** Pixels per maze cell. */
export const TILE = 32;
/** Height of the HUD bar above the maze. */
export const HUD = 48;
/** Scene steps per game tick at time scale 1 (60 fps: 6 moves a second). */
export const TICK_FRAMES = 10;
/** The garden every scene plays in. */
export const MAZE = new Maze(GARDEN);
export const WIDTH = MAZE.width * TILE;
export const HEIGHT = MAZE.height * TILE + HUD;
/** The maze's rectangle in the scene. */
export const MAZE_BOUNDS = { x: 0, y: HUD, width: MAZE.width * TILE, height: MAZE.height * TILE } as const;
/** Gardener colours (tints of the white gardener sprite). */
export const GARDENER_TINTS = [0xe8604c, 0x4f8fe0, 0xf0c23c, 0x9b6ad6] as const;
/** Where the assets are served. */
export const ASSET_ROOT = 'assets/carrot-heist/';

/** The centre of a cell in scene pixels. */
export function cellCentre(cell: number): { x: number; y: number } {
  return { x: (MAZE.x(cell) + 0.5) * TILE, y: HUD + (MAZE.y(cell) + 0.5) * TILE };
}
