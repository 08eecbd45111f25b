/**
 * The rules of Carrot Heist: a rabbit raids the garden maze for carrots while
 * a squad of gardeners tries to catch it before the time runs out. Everyone
 * moves one cell per tick, at the same time, so a lone gardener chasing the
 * rabbit around a loop never gains on it: the gardeners must split up and
 * close the loop from both sides.
 *
 * What a gardener observes is local: its own cell and the hedges beside it,
 * the rabbit and the other gardeners only within its sight (a square of
 * `sight` cells each way; the hedges are low), and its own memory of where it
 * last saw the rabbit, with what its map knowledge makes of that (how each
 * move changes its route to the rabbit and the rabbit's safe ground against
 * the gardeners it sees). The rabbit's cell is announced to everyone when an
 * episode starts (the alarm). The rabbit is a little quicker: it hops a
 * second cell every third tick. Pure TypeScript: no Phaser, no tfjs.
 */
import type { Maze } from './maze.js';

/** Options of a world. */
export interface HeistOptions {
  /** Gardeners in the squad. Default 3. */
  readonly guards?: number;
  /** How far a gardener sees (cells each way, hedges do not block). Default 3. */
  readonly sight?: number;
  /** Ticks before the rabbit wins. Default 100. */
  readonly episodeLimit?: number;
  /** Fewest path steps from every gardener to the rabbit's start. Default 8. */
  readonly minStartDistance?: number;
  /**
   * Weight of the closing-in shaping reward; 0 leaves only the capture
   * reward. Default 1.
   */
  readonly shaping?: number;
  /** The discount the shaping is written for (the learner's gamma). Default 0.99. */
  readonly gamma?: number;
  /** The rabbit hops a second cell every this many ticks (it is quicker than a gardener). Default 3; 0 never. */
  readonly hopEvery?: number;
}

/** Explicit start positions (tests, the game's own placement). */
export interface HeistLayout {
  /** One cell per gardener. */
  readonly guards: readonly number[];
  readonly rabbit: number;
}

/** What one tick did. */
export interface TickResult {
  /** A gardener caught the rabbit (the episode ends). */
  readonly caught: boolean;
  /** The time ran out with the rabbit free. */
  readonly timeUp: boolean;
  /** The rabbit ate a carrot this tick. */
  readonly ate: boolean;
  /** The gardeners' team reward for this tick (see {@link HeistWorld.tick}). */
  readonly reward: number;
}

/** Names and sizes of a gardener's observation, in order. */
export function guardObsLayout(guards: number): { name: string; size: number }[] {
  return [
    { name: 'self.cell', size: 2 },
    { name: 'self.hedges', size: 4 },
    { name: 'rabbit.seen', size: 1 },
    { name: 'rabbit.delta', size: 2 },
    { name: 'rabbit.known', size: 1 },
    { name: 'rabbit.age', size: 1 },
    { name: 'rabbit.route', size: 5 },
    { name: 'rabbit.cutoff', size: 5 },
    { name: 'mates', size: 4 * (guards - 1) },
    { name: 'time.left', size: 1 },
  ];
}

/** Floats in a gardener's observation. */
export function guardObsSize(guards: number): number {
  return guardObsLayout(guards).reduce((s, f) => s + f.size, 0);
}

/**
 * Floats in the global state. It mirrors what the plugin's state builder
 * makes from the scene (x, y, active per gardener, then the rabbit's x, y,
 * active, then the scene's hook: time left), so the headless trainer and the
 * in-browser trainer see the same state.
 */
export function stateSize(guards: number): number {
  return 3 * guards + 3 + 1;
}

/** Ticks after which a remembered sighting counts as fully stale. */
const MEMORY_HORIZON = 20;

/**
 * One game of Carrot Heist.
 * @example
 * ```ts
 * const world = new HeistWorld(new Maze(GARDEN));
 * world.reset(() => Math.random());
 * const r = world.tick([1, 0, 4], 3); // gardeners up, stay, right; rabbit left
 * if (r.caught) console.log('caught after', world.t, 'ticks');
 * ```
 */
export class HeistWorld {
  readonly nGuards: number;
  readonly sight: number;
  readonly episodeLimit: number;
  readonly minStartDistance: number;
  readonly hopEvery: number;
  readonly shaping: number;
  readonly gamma: number;
  /** Each gardener's cell. */
  readonly guards: Int32Array;
  /** Each gardener's cell before the last tick. */
  readonly previousGuards: Int32Array;
  /** Where each gardener last saw the rabbit (-1: never this episode). */
  readonly lastSeen: Int32Array;
  /** The tick of that sighting. */
  readonly lastSeenAt: Int32Array;
  /** 1 where the carrot of `maze.carrots[k]` is still there. */
  readonly carrots: Uint8Array;
  private readonly scratchGuards: Int32Array;
  rabbit = 0;
  previousRabbit = 0;
  /** Ticks played this episode. */
  t = 0;
  caught = false;
  /** Carrots eaten this episode. */
  eaten = 0;

  constructor(
    readonly maze: Maze,
    opts: HeistOptions = {},
  ) {
    this.nGuards = opts.guards ?? 3;
    this.sight = opts.sight ?? 3;
    this.episodeLimit = opts.episodeLimit ?? 100;
    this.minStartDistance = opts.minStartDistance ?? 8;
    this.hopEvery = opts.hopEvery ?? 3;
    this.shaping = opts.shaping ?? 1;
    this.gamma = opts.gamma ?? 0.99;
    if (!Number.isInteger(this.nGuards) || this.nGuards < 1 || this.nGuards > maze.shed.length) {
      throw new RangeError(`gardeners must be an integer from 1 to ${maze.shed.length} (the shed's cells), got ${this.nGuards}`);
    }
    if (!Number.isInteger(this.sight) || this.sight < 1) throw new RangeError(`sight must be a positive integer, got ${this.sight}`);
    if (!Number.isInteger(this.episodeLimit) || this.episodeLimit < 1) throw new RangeError(`episodeLimit must be a positive integer, got ${this.episodeLimit}`);
    this.guards = new Int32Array(this.nGuards);
    this.previousGuards = new Int32Array(this.nGuards);
    this.lastSeen = new Int32Array(this.nGuards);
    this.lastSeenAt = new Int32Array(this.nGuards);
    this.carrots = new Uint8Array(maze.carrots.length);
    this.scratchGuards = new Int32Array(this.nGuards);
  }

  /**
   * Starts an episode: gardeners in the shed, the rabbit on a random path cell
   * at least `minStartDistance` steps from all of them (or an explicit layout).
   * @param random uniform numbers in [0, 1)
   */
  reset(random: () => number, layout?: HeistLayout): void {
    const { maze } = this;
    if (layout) {
      if (layout.guards.length !== this.nGuards) throw new RangeError(`layout has ${layout.guards.length} gardeners, expected ${this.nGuards}`);
      for (const c of [...layout.guards, layout.rabbit]) {
        if (!Number.isInteger(c) || c < 0 || c >= maze.wall.length || maze.wall[c] === 1) throw new RangeError(`layout cell ${c} is not a path cell`);
      }
      this.guards.set(layout.guards);
      this.rabbit = layout.rabbit;
    } else {
      for (let i = 0; i < this.nGuards; i++) this.guards[i] = maze.shed[i];
      const far = maze.floor.filter((c) => this.nearestGuard(c) >= this.minStartDistance);
      if (far.length === 0) throw new RangeError(`no path cell is ${this.minStartDistance} steps from the shed`);
      this.rabbit = far[Math.floor(random() * far.length)];
    }
    this.previousGuards.set(this.guards);
    this.previousRabbit = this.rabbit;
    this.t = 0;
    this.caught = this.captured();
    this.eaten = 0;
    this.carrots.fill(1);
    this.eatCarrot();
    // The alarm: everyone learns where the rabbit starts.
    this.lastSeen.fill(this.rabbit);
    this.lastSeenAt.fill(0);
  }

  /** Whether `action` is open for a piece standing on `cell`. */
  canMove(cell: number, action: number): boolean {
    return action === 0 || (action > 0 && action < 5 && this.maze.move(cell, action) >= 0);
  }

  /**
   * Plays one tick: everyone moves at once; the rabbit is caught when a
   * gardener ends on its cell or they pass through each other.
   *
   * The team reward is 1 for the catch plus a potential-based shaping term
   * `shaping * (gamma * phi(after) - phi(before))` (phi is 0 once caught):
   * phi is minus the sum of the gardeners' path distances to the rabbit over
   * the maze's diameter, minus the rabbit's safe ground (the path cells it
   * reaches before any gardener) in tens of cells. A catch is rare under
   * random play, so without shaping the squad hardly ever sees a reward; the
   * safe-ground part rewards cutting the rabbit off, which no gardener can do
   * alone, rather than following it. Being potential-based, the shaping does
   * not change which policies are optimal (Ng et al. 1999).
   * @throws RangeError for a blocked or unknown action (a mask was ignored).
   */
  tick(guardActions: ArrayLike<number>, rabbitAction: number, hop: () => number = () => rabbitAction): TickResult {
    if (this.caught || this.t >= this.episodeLimit) throw new Error('the episode is over: reset the world first');
    if (guardActions.length !== this.nGuards) throw new RangeError(`expected ${this.nGuards} gardener actions, got ${guardActions.length}`);
    for (let i = 0; i < this.nGuards; i++) {
      if (!this.canMove(this.guards[i], guardActions[i])) throw new RangeError(`gardener ${i} cannot take action ${guardActions[i]} at (${this.maze.x(this.guards[i])}, ${this.maze.y(this.guards[i])})`);
    }
    if (!this.canMove(this.rabbit, rabbitAction)) throw new RangeError(`the rabbit cannot take action ${rabbitAction} at (${this.maze.x(this.rabbit)}, ${this.maze.y(this.rabbit)})`);
    const before = this.potential();
    this.previousGuards.set(this.guards);
    this.previousRabbit = this.rabbit;
    for (let i = 0; i < this.nGuards; i++) if (guardActions[i] !== 0) this.guards[i] = this.maze.move(this.guards[i], guardActions[i]);
    if (rabbitAction !== 0) this.rabbit = this.maze.move(this.rabbit, rabbitAction);
    this.t++;
    this.caught = this.captured();
    let ate = !this.caught && this.eatCarrot();
    if (!this.caught && this.hops()) {
      // The rabbit's second cell: the gardeners stand still while it hops.
      const second = hop();
      if (!this.canMove(this.rabbit, second)) throw new RangeError(`the rabbit cannot hop with action ${second} at (${this.maze.x(this.rabbit)}, ${this.maze.y(this.rabbit)})`);
      if (second !== 0) this.rabbit = this.maze.move(this.rabbit, second);
      for (let i = 0; i < this.nGuards; i++) if (this.guards[i] === this.rabbit) this.caught = true;
      if (!this.caught && this.eatCarrot()) ate = true;
    }
    for (let i = 0; i < this.nGuards; i++) {
      if (this.sees(i, this.rabbit)) {
        this.lastSeen[i] = this.rabbit;
        this.lastSeenAt[i] = this.t;
      }
    }
    const after = this.caught ? 0 : this.potential();
    const reward = (this.caught ? 1 : 0) + this.shaping * (this.gamma * after - before);
    return { caught: this.caught, timeUp: !this.caught && this.t >= this.episodeLimit, ate, reward };
  }

  /**
   * Minus the sum of the gardeners' path distances to the rabbit over the
   * maze's diameter, minus the rabbit's safe ground in tens of cells.
   */
  potential(): number {
    let sum = 0;
    for (let i = 0; i < this.nGuards; i++) sum += this.maze.distance(this.guards[i], this.rabbit);
    return -sum / this.maze.diameter - this.rabbitGround() / 10;
  }

  /** Whether the tick being played gives the rabbit a second cell (call after `t` advanced). */
  hops(): boolean {
    return this.hopEvery > 0 && this.t % this.hopEvery === 0;
  }

  /** Whether gardener `i` sees `cell`. */
  sees(i: number, cell: number): boolean {
    const { maze } = this;
    const g = this.guards[i];
    return Math.abs(maze.x(cell) - maze.x(g)) <= this.sight && Math.abs(maze.y(cell) - maze.y(g)) <= this.sight;
  }

  /** Fewest steps from any gardener to `cell`. */
  nearestGuard(cell: number): number {
    let best = Infinity;
    for (let i = 0; i < this.nGuards; i++) best = Math.min(best, this.maze.distance(this.guards[i], cell));
    return best;
  }

  /** Writes gardener `i`'s available actions (1/0, 5 values) at `offset`. */
  writeGuardMask(i: number, out: { [k: number]: number }, offset = 0): void {
    for (let u = 0; u < 5; u++) out[offset + u] = this.canMove(this.guards[i], u) ? 1 : 0;
  }

  /**
   * Writes gardener `i`'s observation ({@link guardObsLayout}) at `offset`.
   * Uses only what that gardener sees and remembers, never the global state.
   */
  writeGuardObs(i: number, out: { [k: number]: number }, offset = 0): void {
    const { maze, sight } = this;
    const g = this.guards[i];
    const gx = maze.x(g);
    const gy = maze.y(g);
    let k = offset;
    out[k++] = (gx - 1) / (maze.width - 3);
    out[k++] = (gy - 1) / (maze.height - 3);
    for (let u = 1; u < 5; u++) out[k++] = maze.move(g, u) < 0 ? 1 : 0;
    const seen = this.sees(i, this.rabbit);
    out[k++] = seen ? 1 : 0;
    out[k++] = seen ? (maze.x(this.rabbit) - gx) / sight : 0;
    out[k++] = seen ? (maze.y(this.rabbit) - gy) / sight : 0;
    const target = this.lastSeen[i];
    out[k++] = target >= 0 ? 1 : 0;
    out[k++] = target >= 0 ? Math.min(1, (this.t - this.lastSeenAt[i]) / MEMORY_HORIZON) : 1;
    // How each move changes the path length to the remembered rabbit (-1
    // closer, 0, +1 farther; +1 when blocked or unknown): a gardener knows
    // its garden, so route finding is part of what it sees. Whole steps, not
    // distances over the diameter, so the one step that matters is not a
    // 0.05 ripple in the input.
    const here = target >= 0 ? maze.distance(g, target) : 0;
    for (let u = 0; u < 5; u++) {
      const next = u === 0 ? g : maze.move(g, u);
      out[k++] = next < 0 || target < 0 ? 1 : maze.distance(next, target) - here;
    }
    // How each move shrinks the rabbit's safe ground (the path cells it
    // reaches before any gardener this one can see), in tens of cells: the
    // measure of cutting it off rather than following it.
    const mates = this.scratchGuards;
    let count = 0;
    for (let j = 0; j < this.nGuards; j++) if (j !== i && this.sees(i, this.guards[j])) mates[count++] = this.guards[j];
    const ground = target >= 0 ? this.safeCells(target, mates, count, g) : 0;
    for (let u = 0; u < 5; u++) {
      const next = u === 0 ? g : maze.move(g, u);
      out[k++] = next < 0 || target < 0 ? 0 : (ground - this.safeCells(target, mates, count, next)) / 10;
    }
    for (let j = 0; j < this.nGuards; j++) {
      if (j === i) continue;
      const m = this.guards[j];
      const mateSeen = this.sees(i, m);
      out[k++] = mateSeen ? 1 : 0;
      out[k++] = mateSeen ? (maze.x(m) - gx) / sight : 0;
      out[k++] = mateSeen ? (maze.y(m) - gy) / sight : 0;
      out[k++] = mateSeen && target >= 0 ? maze.distance(m, target) / maze.diameter : 1;
    }
    out[k++] = 1 - this.t / this.episodeLimit;
  }

  /**
   * Writes the global state ({@link stateSize} values): what the plugin
   * builds from the scene when each piece's sprite sits at its cell's centre
   * in a maze-sized rectangle.
   */
  writeState(out: { [k: number]: number }, offset = 0): void {
    const { maze } = this;
    let k = offset;
    for (let i = 0; i < this.nGuards; i++) {
      out[k++] = (maze.x(this.guards[i]) + 0.5) / maze.width;
      out[k++] = (maze.y(this.guards[i]) + 0.5) / maze.height;
      out[k++] = 1;
    }
    out[k++] = (maze.x(this.rabbit) + 0.5) / maze.width;
    out[k++] = (maze.y(this.rabbit) + 0.5) / maze.height;
    out[k++] = 1;
    out[k++] = 1 - this.t / this.episodeLimit;
  }

  /** Path cells `rabbit` reaches strictly before the `count` gardeners in `guards` and one more at `extra`. */
  private safeCells(rabbit: number, guards: Int32Array, count: number, extra: number): number {
    const { maze } = this;
    let safe = 0;
    for (const c of maze.floor) {
      let near = maze.distance(extra, c);
      for (let j = 0; j < count; j++) near = Math.min(near, maze.distance(guards[j], c));
      if (maze.distance(rabbit, c) < near) safe++;
    }
    return safe;
  }

  /** The rabbit's safe ground against every gardener (the shaping's measure). */
  rabbitGround(): number {
    return this.safeCells(this.rabbit, this.guards, this.nGuards - 1, this.guards[this.nGuards - 1]);
  }

  private captured(): boolean {
    for (let i = 0; i < this.nGuards; i++) {
      if (this.guards[i] === this.rabbit) return true;
      // Passing through each other in one tick counts: nobody slips past.
      if (this.guards[i] === this.previousRabbit && this.previousGuards[i] === this.rabbit) return true;
    }
    return false;
  }

  private eatCarrot(): boolean {
    const k = this.maze.carrots.indexOf(this.rabbit);
    if (k < 0 || this.carrots[k] === 0) return false;
    this.carrots[k] = 0;
    this.eaten++;
    // A cleared garden regrows, so a forager always has somewhere to go.
    if (this.carrots.every((c) => c === 0)) {
      this.carrots.fill(1);
      this.carrots[k] = 0;
    }
    return true;
  }
}
