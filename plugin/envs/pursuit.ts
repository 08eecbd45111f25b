/**
 * Pursuit, a small game-style chase: two hunters and a prey on a square
 * grid. The prey wanders (each step it takes a random available move, and
 * with probability `flee` instead the move that keeps it farthest from the
 * nearer hunter). It is caught (team reward 1, the episode ends) only on a
 * step where both hunters are next to it or on it at once (Manhattan
 * distance at most 1), so one hunter alone never succeeds. Each step costs
 * the team 0.01.
 *
 * Each hunter sees its own cell and the offsets to the prey and to the other
 * hunter; the state is every position. Actions: stay, up, down, left, right.
 */
import type { EnvObservation, EnvSpec, EnvStep, MultiAgentEnv } from '../core/env.js';
import { Rng } from '../core/rng.js';
import { GRID_MOVES, gridSpec, writeGridObs } from './grid-task.js';

/** Team reward per step (the step penalty). */
export const PURSUIT_STEP_PENALTY = -0.01;

/**
 * @example
 * ```ts
 * const env = new Pursuit({ size: 7 });
 * env.reset(3);
 * const step = env.step([2, 3]);
 * if (step.terminated) console.log('caught:', env.won());
 * ```
 */
export class Pursuit implements MultiAgentEnv {
  readonly spec: EnvSpec;
  readonly size: number;
  /** Probability that the prey flees instead of wandering. */
  readonly flee: number;
  private readonly pos = new Int32Array(6); // hunter 0, hunter 1, prey: row, col
  private readonly targets = new Int32Array(4);
  private readonly out: EnvObservation;
  private rng = new Rng(0, 'pursuit');
  private t = 0;
  private caught = false;

  constructor(opts: { size?: number; flee?: number; episodeLimit?: number } = {}) {
    this.size = opts.size ?? 7;
    this.flee = opts.flee ?? 0.5;
    if (!Number.isInteger(this.size) || this.size < 3) throw new RangeError(`pursuit grid side ${this.size} must be an integer >= 3`);
    if (!(this.flee >= 0 && this.flee <= 1)) throw new RangeError(`pursuit flee probability ${this.flee} must be in [0, 1]`);
    this.spec = gridSpec(
      2,
      [
        { name: 'self.rowcol', size: 2 },
        { name: 'prey.delta', size: 2 },
        { name: 'other.delta', size: 2 },
      ],
      6,
      opts.episodeLimit ?? 50,
    );
    this.out = { obs: new Float32Array(2 * this.spec.obsSize), state: new Float32Array(6), avail: new Uint8Array(10) };
  }

  /** Whether the last episode ended with the prey caught. */
  won(): boolean {
    return this.caught;
  }

  reset(seed?: number): EnvObservation {
    if (seed !== undefined) this.rng = new Rng(seed, 'pursuit');
    const cells = this.size * this.size;
    do {
      for (let i = 0; i < 3; i++) {
        const c = this.rng.int(cells);
        this.pos[2 * i] = Math.floor(c / this.size);
        this.pos[2 * i + 1] = c % this.size;
      }
    } while (this.captured() || this.dist(0, 2) < 3 || this.dist(1, 2) < 3);
    this.t = 0;
    this.caught = false;
    return this.observe();
  }

  step(actions: ArrayLike<number>): EnvStep {
    for (let a = 0; a < 2; a++) {
      const u = actions[a];
      if (this.out.avail[a * 5 + u] !== 1) throw new RangeError(`hunter ${a} took unavailable action ${u}`);
      this.pos[2 * a] += GRID_MOVES[u][0];
      this.pos[2 * a + 1] += GRID_MOVES[u][1];
    }
    // The hunters move first: a prey they have just surrounded is caught
    // before it can slip away (as in a turn-based game).
    this.caught = this.captured();
    if (!this.caught) this.movePrey();
    this.caught = this.caught || this.captured();
    this.t++;
    const o = this.observe();
    return { ...o, reward: PURSUIT_STEP_PENALTY + (this.caught ? 1 : 0), terminated: this.caught, truncated: !this.caught && this.t >= this.spec.episodeLimit };
  }

  private movePrey(): void {
    const S = this.size - 1;
    const r = this.pos[4];
    const c = this.pos[5];
    const options: number[] = [];
    for (let u = 0; u < 5; u++) {
      const nr = r + GRID_MOVES[u][0];
      const nc = c + GRID_MOVES[u][1];
      if (nr >= 0 && nr <= S && nc >= 0 && nc <= S) options.push(u);
    }
    let move = options[this.rng.int(options.length)];
    if (this.rng.next() < this.flee) {
      let bestScore = -1;
      for (const u of options) {
        const nr = r + GRID_MOVES[u][0];
        const nc = c + GRID_MOVES[u][1];
        const score = Math.min(Math.abs(nr - this.pos[0]) + Math.abs(nc - this.pos[1]), Math.abs(nr - this.pos[2]) + Math.abs(nc - this.pos[3]));
        if (score > bestScore) {
          bestScore = score;
          move = u;
        }
      }
    }
    this.pos[4] += GRID_MOVES[move][0];
    this.pos[5] += GRID_MOVES[move][1];
  }

  private dist(a: number, b: number): number {
    return Math.abs(this.pos[2 * a] - this.pos[2 * b]) + Math.abs(this.pos[2 * a + 1] - this.pos[2 * b + 1]);
  }

  private captured(): boolean {
    return this.dist(0, 2) <= 1 && this.dist(1, 2) <= 1;
  }

  private observe(): EnvObservation {
    const S = this.size - 1;
    const state = this.out.state as Float32Array;
    for (let a = 0; a < 2; a++) {
      this.targets[0] = this.pos[4];
      this.targets[1] = this.pos[5];
      this.targets[2] = this.pos[2 * (1 - a)];
      this.targets[3] = this.pos[2 * (1 - a) + 1];
      writeGridObs(this.out, a, this.size, this.pos[2 * a], this.pos[2 * a + 1], this.targets);
    }
    for (let i = 0; i < 6; i++) state[i] = this.pos[i] / S;
    return this.out;
  }
}
