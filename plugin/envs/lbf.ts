/**
 * Level-Based Foraging, following the v3 rules of semitable/lb-foraging:
 *
 * - Players (with levels) and food (with levels) on a grid. Actions 0 NONE,
 *   1 NORTH (row - 1), 2 SOUTH (row + 1), 3 WEST (col - 1), 4 EAST (col + 1),
 *   5 LOAD. A move is available when it stays on the grid and the target cell
 *   holds no food; LOAD when food is adjacent (4-neighbourhood).
 * - Movement: players whose targets coincide (including a player that stays,
 *   or loads, in its cell) all fail to move; others move (swaps allowed).
 * - Loading: a loading player picks its adjacent food (north, south, west,
 *   east first); the loading players adjacent to that food pool their
 *   levels; if the sum reaches the food's level the food is collected and
 *   each of them gets level * foodLevel, normalised by (sum of their levels *
 *   total food level spawned), so collecting everything sums to 1.
 * - The episode ends when all food is gone (terminal) or after 50 steps
 *   (truncated). The team reward is the sum of the players' rewards.
 * - Spawning (v3): players on random empty cells with levels 1..2
 *   (`maxPlayerLevel`); then food away from the border, with no other food in
 *   the 3x3 around it or within 2 cells in its row or column, levels 1..(sum
 *   of the three lowest player levels), or exactly that sum in `-coop` mode
 *   (so every player is needed when there are at most three).
 * - Observation per player: (row, col, level) of each visible food (-1, -1, 0
 *   when unseen), then of itself, then of the other visible players;
 *   coordinates relative to the top-left of its sight window (absolute with
 *   full sight). The state is every player's observation concatenated (as
 *   EPyMARL's wrapper does).
 *
 * Departures: our own seeded RNG (the same seed does not give the Python
 * layout); loading players are taken in index order (the original pops them
 * from a Python set, in hash order, which matters only for a player beside
 * two foods); the step limit is reported as truncated, not terminated (so it
 * is bootstrapped, as pymarl does for `episode_limit`); player spawning
 * ignores where players stood in the previous episode (the original's
 * emptiness check still sees them); and the adjacent-food search uses row > 0 / col > 0 where the
 * original has row > 1 / col > 1; the two agree whenever food is off the
 * border, which random spawning guarantees (explicit layouts may not).
 */
import type { EnvObservation, EnvSpec, EnvStep, MultiAgentEnv } from '../core/env.js';
import { Rng } from '../core/rng.js';

/** An explicit layout for `reset` (tests, curricula). */
export interface LbfLayout {
  readonly players: readonly { readonly row: number; readonly col: number; readonly level: number }[];
  readonly foods: readonly { readonly row: number; readonly col: number; readonly level: number }[];
}

/** Options of {@link LevelBasedForaging}. */
export interface LbfOptions {
  readonly size: number;
  readonly players: number;
  readonly foods: number;
  readonly coop?: boolean;
  /** Sight radius; the grid size (full view) when omitted. */
  readonly sight?: number;
  readonly maxPlayerLevel?: number;
  readonly episodeLimit?: number;
  /** Reward subtracted from each player of a failed LOAD. Default 0. */
  readonly penalty?: number;
}

const NONE = 0;
const NORTH = 1;
const SOUTH = 2;
const WEST = 3;
const EAST = 4;
const LOAD = 5;

/**
 * @example
 * ```ts
 * const env = new LevelBasedForaging({ size: 8, players: 2, foods: 2, coop: true });
 * env.reset(1);
 * env.reset(undefined, { players: [{ row: 0, col: 0, level: 1 }, { row: 0, col: 2, level: 1 }], foods: [{ row: 0, col: 1, level: 2 }] });
 * ```
 */
export class LevelBasedForaging implements MultiAgentEnv {
  readonly spec: EnvSpec;
  readonly options: Required<LbfOptions>;
  private readonly field: Int32Array; // food level per cell, 0 = none
  private readonly prow: Int32Array;
  private readonly pcol: Int32Array;
  private readonly plevel: Int32Array;
  private readonly rewards: Float64Array;
  private readonly obs: Float32Array;
  private readonly state: Float32Array;
  private readonly avail: Uint8Array;
  private rng = new Rng(0, 'lbf');
  private foodSpawned = 1;
  private t = 0;

  constructor(o: LbfOptions) {
    this.options = { coop: false, sight: o.size, maxPlayerLevel: 2, episodeLimit: 50, penalty: 0, ...o };
    const { size, players: n, foods } = this.options;
    if (!(Number.isInteger(size) && size >= 3)) throw new RangeError(`lbf size ${size} must be an integer >= 3`);
    if (!(Number.isInteger(n) && n >= 1) || !(Number.isInteger(foods) && foods >= 1)) throw new RangeError('lbf needs at least one player and one food');
    const obsSize = 3 * foods + 3 * n;
    this.spec = Object.freeze({
      nAgents: n,
      obsSize,
      stateSize: n * obsSize,
      nActions: 6,
      episodeLimit: this.options.episodeLimit,
      obsLayout: Object.freeze([
        { name: 'foods.rowcollevel', size: 3 * foods },
        { name: 'self.rowcollevel', size: 3 },
        { name: 'others.rowcollevel', size: 3 * (n - 1) },
      ].filter((f) => f.size > 0)),
      actionNames: Object.freeze(['none', 'north', 'south', 'west', 'east', 'load']),
    });
    this.field = new Int32Array(size * size);
    this.prow = new Int32Array(n);
    this.pcol = new Int32Array(n);
    this.plevel = new Int32Array(n);
    this.rewards = new Float64Array(n);
    this.obs = new Float32Array(n * obsSize);
    this.state = new Float32Array(n * obsSize);
    this.avail = new Uint8Array(n * 6);
  }

  /** Each player's reward in the last step (their sum is the team reward). */
  get playerRewards(): readonly number[] {
    return Array.from(this.rewards);
  }

  /** All food collected. */
  won(): boolean {
    return this.field.every((v) => v === 0);
  }

  /** Starts an episode: random (seeded) or from an explicit layout. */
  reset(seed?: number, layout?: LbfLayout): EnvObservation {
    if (seed !== undefined) this.rng = new Rng(seed, 'lbf');
    this.field.fill(0);
    this.t = 0;
    if (layout) this.place(layout);
    else {
      this.spawnPlayers();
      const levels = Array.from(this.plevel).sort((a, b) => a - b);
      this.spawnFood(levels.slice(0, 3).reduce((a, b) => a + b, 0));
    }
    this.foodSpawned = this.field.reduce((a, b) => a + b, 0);
    this.rewards.fill(0);
    return this.observe();
  }

  step(actions: ArrayLike<number>): EnvStep {
    const n = this.spec.nAgents;
    const { size } = this.options;
    this.t++;
    this.rewards.fill(0);
    // Unavailable actions become NONE (as the original does).
    const act = Array.from({ length: n }, (_, p) => (this.avail[p * 6 + actions[p]] ? actions[p] : NONE));
    const targets = new Map<number, number[]>();
    const loading = new Set<number>();
    for (let p = 0; p < n; p++) {
      let r = this.prow[p];
      let c = this.pcol[p];
      if (act[p] === NORTH) r--;
      else if (act[p] === SOUTH) r++;
      else if (act[p] === WEST) c--;
      else if (act[p] === EAST) c++;
      else if (act[p] === LOAD) loading.add(p);
      const key = r * size + c;
      targets.set(key, [...(targets.get(key) ?? []), p]);
    }
    for (const [key, ps] of targets) {
      if (ps.length > 1) continue; // everyone aiming at this cell fails to move
      this.prow[ps[0]] = Math.floor(key / size);
      this.pcol[ps[0]] = key % size;
    }
    // Loading, in the order the original pops players from its set (insertion order here).
    while (loading.size > 0) {
      const p = loading.values().next().value as number;
      loading.delete(p);
      const food = this.adjacentFoodCell(this.prow[p], this.pcol[p]);
      if (food < 0) continue;
      const fr = Math.floor(food / size);
      const fc = food % size;
      const group = [p, ...[...loading].filter((q) => adjacent(this.prow[q], this.pcol[q], fr, fc))];
      for (const q of group) loading.delete(q);
      const sum = group.reduce((a, q) => a + this.plevel[q], 0);
      const level = this.field[food];
      if (sum < level) {
        for (const q of group) this.rewards[q] -= this.options.penalty;
        continue;
      }
      for (const q of group) this.rewards[q] = (this.plevel[q] * level) / (sum * this.foodSpawned);
      this.field[food] = 0;
    }
    const cleared = this.won();
    const o = this.observe();
    const reward = this.rewards.reduce((a, b) => a + b, 0);
    return { ...o, reward, terminated: cleared, truncated: !cleared && this.t >= this.spec.episodeLimit };
  }

  private place(layout: LbfLayout): void {
    const { size } = this.options;
    const n = this.spec.nAgents;
    if (layout.players.length !== n) throw new RangeError(`layout has ${layout.players.length} players, this env ${n}`);
    if (layout.foods.length > this.options.foods) throw new RangeError(`layout has ${layout.foods.length} foods, this env at most ${this.options.foods}`);
    const inside = (r: number, c: number) => Number.isInteger(r) && Number.isInteger(c) && r >= 0 && c >= 0 && r < size && c < size;
    layout.foods.forEach((f, i) => {
      if (!inside(f.row, f.col) || !(f.level >= 1)) throw new RangeError(`layout food ${i} at (${f.row}, ${f.col}) level ${f.level} is invalid`);
      this.field[f.row * size + f.col] = f.level;
    });
    layout.players.forEach((p, i) => {
      if (!inside(p.row, p.col) || !(p.level >= 1) || this.field[p.row * size + p.col] > 0) throw new RangeError(`layout player ${i} at (${p.row}, ${p.col}) level ${p.level} is invalid`);
      this.prow[i] = p.row;
      this.pcol[i] = p.col;
      this.plevel[i] = p.level;
    });
  }

  private spawnPlayers(): void {
    const { size, maxPlayerLevel } = this.options;
    for (let p = 0; p < this.spec.nAgents; p++) {
      this.prow[p] = -1;
      for (let attempt = 0; attempt < 1000; attempt++) {
        const r = this.rng.int(size);
        const c = this.rng.int(size);
        if (this.isEmpty(r, c, p)) {
          this.prow[p] = r;
          this.pcol[p] = c;
          this.plevel[p] = 1 + this.rng.int(maxPlayerLevel);
          break;
        }
      }
    }
  }

  private spawnFood(maxLevel: number): void {
    const { size, foods, coop } = this.options;
    const minLevel = coop ? maxLevel : 1;
    let count = 0;
    for (let attempt = 0; count < foods && attempt < 1000; attempt++) {
      const r = 1 + this.rng.int(size - 2);
      const c = 1 + this.rng.int(size - 2);
      if (this.foodNear(r, c) || !this.isEmpty(r, c, this.spec.nAgents)) continue;
      // v3 draws integers(min, max + 1): levels min..max inclusive (v2 left max out).
      this.field[r * size + c] = minLevel + this.rng.int(maxLevel - minLevel + 1);
      count++;
    }
  }

  /** Food in the 3x3 around (r, c), or within 2 cells in its row or column. */
  private foodNear(r: number, c: number): boolean {
    const { size } = this.options;
    for (let i = Math.max(r - 1, 0); i <= Math.min(r + 1, size - 1); i++) for (let j = Math.max(c - 1, 0); j <= Math.min(c + 1, size - 1); j++) if (this.field[i * size + j] > 0) return true;
    for (let i = Math.max(r - 2, 0); i <= Math.min(r + 2, size - 1); i++) if (this.field[i * size + c] > 0) return true;
    for (let j = Math.max(c - 2, 0); j <= Math.min(c + 2, size - 1); j++) if (this.field[r * size + j] > 0) return true;
    return false;
  }

  /** No food there, and none of the first `players` players. */
  private isEmpty(r: number, c: number, players: number): boolean {
    if (this.field[r * this.options.size + c] > 0) return false;
    for (let p = 0; p < players; p++) if (this.prow[p] === r && this.pcol[p] === c) return false;
    return true;
  }

  /** The food cell a player at (r, c) loads: north, south, west, east first; -1 when none. */
  private adjacentFoodCell(r: number, c: number): number {
    const { size } = this.options;
    const f = this.field;
    if (r > 0 && f[(r - 1) * size + c] > 0) return (r - 1) * size + c;
    if (r < size - 1 && f[(r + 1) * size + c] > 0) return (r + 1) * size + c;
    if (c > 0 && f[r * size + c - 1] > 0) return r * size + c - 1;
    if (c < size - 1 && f[r * size + c + 1] > 0) return r * size + c + 1;
    return -1;
  }

  private observe(): EnvObservation {
    const { size, sight, foods } = this.options;
    const n = this.spec.nAgents;
    const O = this.spec.obsSize;
    for (let p = 0; p < n; p++) {
      const base = p * O;
      const r0 = Math.max(this.prow[p] - sight, 0);
      const c0 = Math.max(this.pcol[p] - sight, 0);
      const r1 = Math.min(this.prow[p] + sight, size - 1);
      const c1 = Math.min(this.pcol[p] + sight, size - 1);
      for (let i = 0; i < foods; i++) this.obs.set([-1, -1, 0], base + 3 * i);
      let k = 0;
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          const level = this.field[r * size + c];
          if (level > 0 && k < foods) this.obs.set([r - r0, c - c0, level], base + 3 * k++);
        }
      }
      for (let i = 0; i < n; i++) this.obs.set([-1, -1, 0], base + 3 * foods + 3 * i);
      let slot = 0;
      for (const q of [p, ...Array.from({ length: n }, (_, i) => i).filter((i) => i !== p)]) {
        const tr = this.prow[q] - r0;
        const tc = this.pcol[q] - c0;
        // Visible when inside the (clipped) window, as the original's transform test.
        if (Math.min(tr, tc) >= 0 && Math.max(tr, tc) <= 2 * sight) this.obs.set([tr, tc, this.plevel[q]], base + 3 * foods + 3 * slot++);
      }
      const m = p * 6;
      const r = this.prow[p];
      const c = this.pcol[p];
      this.avail[m + NONE] = 1;
      this.avail[m + NORTH] = r > 0 && this.field[(r - 1) * size + c] === 0 ? 1 : 0;
      this.avail[m + SOUTH] = r < size - 1 && this.field[(r + 1) * size + c] === 0 ? 1 : 0;
      this.avail[m + WEST] = c > 0 && this.field[r * size + c - 1] === 0 ? 1 : 0;
      this.avail[m + EAST] = c < size - 1 && this.field[r * size + c + 1] === 0 ? 1 : 0;
      this.avail[m + LOAD] = this.adjacentFoodCell(r, c) >= 0 ? 1 : 0;
    }
    this.state.set(this.obs);
    return { obs: this.obs, state: this.state, avail: this.avail };
  }
}

function adjacent(r: number, c: number, fr: number, fc: number): boolean {
  return (Math.abs(r - fr) === 1 && c === fc) || (Math.abs(c - fc) === 1 && r === fr);
}

/**
 * Parses `8x8-2p-2f[-coop][-2s]` into options.
 * @example
 * ```ts
 * parseLbfName('8x8-2p-2f-coop'); // { size: 8, players: 2, foods: 2, coop: true }
 * ```
 */
export function parseLbfName(args: string): LbfOptions {
  const m = /^(\d+)x(\d+)-(\d+)p-(\d+)f(-coop)?(?:-(\d+)s)?$/.exec(args);
  if (!m || m[1] !== m[2]) throw new Error(`lbf arguments ${JSON.stringify(args)} must look like 8x8-2p-2f[-coop][-2s]`);
  return { size: Number(m[1]), players: Number(m[3]), foods: Number(m[4]), coop: m[5] !== undefined, ...(m[6] ? { sight: Number(m[6]) } : {}) };
}
