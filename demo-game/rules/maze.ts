/**
 * The garden maze of Carrot Heist: a grid of hedges and paths parsed from
 * text, with every shortest-path distance precomputed once (the maze never
 * changes, and the NPCs, the scripted rabbit and the baseline all ask for
 * distances many times per step).
 *
 * Pure TypeScript: no Phaser, no tfjs, so the headless trainer can use it.
 */

/** Moves by action index: 0 stay, 1 up, 2 down, 3 left, 4 right. */
export const MOVES: readonly (readonly [dx: number, dy: number])[] = [
  [0, 0],
  [0, -1],
  [0, 1],
  [-1, 0],
  [1, 0],
];

/** Action names, in action-index order. */
export const ACTION_NAMES = ['stay', 'up', 'down', 'left', 'right'] as const;

/** Distance reported between cells with no path (never happens in a connected maze). */
export const UNREACHABLE = 255;

/**
 * The default garden: `#` hedge, `.` path, `S` the gardeners' shed (a path
 * cell where gardeners start), `c` a path cell with a carrot. Nearly every
 * path cell lies on a loop, so one gardener chasing alone can be led around
 * it; only three short blind alleys let a lone chaser corner the rabbit.
 */
export const GARDEN = [
  '###############',
  '#c....#.#....c#',
  '#.###.#.#.###.#',
  '#.#c.......c#.#',
  '#.#.##.#.##.#.#',
  '#......c......#',
  '#.##.#.#.#.##.#',
  '#c.#.#.S.#.#.c#',
  '#.##.#SSS#.##.#',
  '#......#......#',
  '###############',
] as const;

/**
 * A parsed maze: cells are numbered `y * width + x`.
 * @example
 * ```ts
 * const maze = new Maze(GARDEN);
 * maze.distance(maze.cell(1, 1), maze.cell(13, 1)); // steps along the paths
 * ```
 */
export class Maze {
  readonly width: number;
  readonly height: number;
  /** 1 where a hedge stands. */
  readonly wall: Uint8Array;
  /** Path cells, in reading order. */
  readonly floor: readonly number[];
  /** Shed cells (gardeners' starts), in reading order. */
  readonly shed: readonly number[];
  /** Carrot cells, in reading order. */
  readonly carrots: readonly number[];
  /** Longest shortest path between two path cells (for normalising distances). */
  readonly diameter: number;
  private readonly dist: Uint8Array;

  constructor(rows: readonly string[]) {
    if (rows.length < 3) throw new Error(`maze needs at least 3 rows, got ${rows.length}`);
    this.height = rows.length;
    this.width = rows[0].length;
    const n = this.width * this.height;
    if (n > 255 * 255) throw new Error(`maze of ${n} cells is too large`);
    this.wall = new Uint8Array(n);
    const floor: number[] = [];
    const shed: number[] = [];
    const carrots: number[] = [];
    rows.forEach((row, y) => {
      if (row.length !== this.width) throw new Error(`maze row ${y} has ${row.length} cells, expected ${this.width}`);
      for (let x = 0; x < this.width; x++) {
        const ch = row[x];
        const c = y * this.width + x;
        const edge = x === 0 || y === 0 || x === this.width - 1 || y === this.height - 1;
        if (ch === '#') this.wall[c] = 1;
        else if (edge) throw new Error(`maze cell (${x}, ${y}) on the border must be a hedge '#'`);
        else if (ch === '.' || ch === 'S' || ch === 'c') {
          floor.push(c);
          if (ch === 'S') shed.push(c);
          if (ch === 'c') carrots.push(c);
        } else throw new Error(`maze cell (${x}, ${y}) is ${JSON.stringify(ch)}: expected '#', '.', 'S' or 'c'`);
      }
    });
    if (shed.length === 0) throw new Error('maze has no shed cell S');
    this.floor = floor;
    this.shed = shed;
    this.carrots = carrots;
    this.dist = new Uint8Array(n * n).fill(UNREACHABLE);
    const queue = new Int32Array(n);
    for (const s of floor) this.bfs(s, queue);
    let diameter = 0;
    for (const a of floor) {
      for (const b of floor) {
        const d = this.dist[a * n + b];
        if (d === UNREACHABLE) throw new Error(`maze is not connected: no path from (${this.x(a)}, ${this.y(a)}) to (${this.x(b)}, ${this.y(b)})`);
        if (d > diameter) diameter = d;
      }
    }
    this.diameter = diameter;
  }

  /** The cell at column `x`, row `y`. */
  cell(x: number, y: number): number {
    return y * this.width + x;
  }

  x(cell: number): number {
    return cell % this.width;
  }

  y(cell: number): number {
    return Math.floor(cell / this.width);
  }

  /** The cell reached by `action` from `cell`, or -1 when a hedge blocks it. */
  move(cell: number, action: number): number {
    const [dx, dy] = MOVES[action];
    const next = cell + dy * this.width + dx;
    return this.wall[next] === 1 ? -1 : next;
  }

  /** Steps along the paths from `a` to `b`. */
  distance(a: number, b: number): number {
    return this.dist[a * this.width * this.height + b];
  }

  /** Open neighbours of a path cell (its number of exits). */
  exits(cell: number): number {
    let k = 0;
    for (let u = 1; u < 5; u++) if (this.move(cell, u) >= 0) k++;
    return k;
  }

  private bfs(source: number, queue: Int32Array): void {
    const n = this.width * this.height;
    const row = source * n;
    this.dist[row + source] = 0;
    let head = 0;
    let tail = 0;
    queue[tail++] = source;
    while (head < tail) {
      const c = queue[head++];
      const d = this.dist[row + c];
      for (let u = 1; u < 5; u++) {
        const next = this.move(c, u);
        if (next >= 0 && this.dist[row + next] === UNREACHABLE) {
          this.dist[row + next] = d + 1;
          queue[tail++] = next;
        }
      }
    }
  }
}
