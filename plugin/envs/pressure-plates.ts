/**
 * Pressure Plates, a small game-style task that needs two agents somewhere
 * at the same time: two plates lie on a square grid (at two fixed cells, a
 * level's top-right and bottom-left corners, by default; at random cells of
 * each episode with `randomPlates`), and the door opens (team reward 1, the episode ends) only on a step where every
 * plate has an agent on it. Each step costs the team 0.01 (the small step
 * penalty many game rewards carry). Nothing else is rewarded: standing on
 * one plate alone earns nothing, so the agents must split the plates between
 * them and arrive together.
 *
 * Each agent sees its own cell and the offsets to both plates and to the
 * other agent; the state is every position. Actions: stay, up, down, left,
 * right (moves off the grid are unavailable).
 */
import type { EnvObservation, EnvSpec, EnvStep, MultiAgentEnv } from '../core/env.js';
import { Rng } from '../core/rng.js';
import { GRID_MOVES, gridSpec, writeGridObs } from './grid-task.js';

/** Team reward per step (the step penalty). */
export const PLATES_STEP_PENALTY = -0.01;

/**
 * @example
 * ```ts
 * const env = new PressurePlates({ size: 6 });
 * env.reset(1);
 * const step = env.step([4, 1]); // one right, one up
 * if (step.terminated) console.log('door open:', env.won());
 * ```
 */
export class PressurePlates implements MultiAgentEnv {
  readonly spec: EnvSpec;
  readonly size: number;
  private readonly pos = new Int32Array(4); // two agents: row, col
  private readonly plates = new Int32Array(4); // two plates: row, col
  private readonly targets = new Int32Array(6);
  private readonly out: EnvObservation;
  private rng = new Rng(0, 'plates');
  private t = 0;
  private opened = false;

  /** Plates at random cells each episode (else the two fixed corners). */
  readonly randomPlates: boolean;

  constructor(opts: { size?: number; episodeLimit?: number; randomPlates?: boolean } = {}) {
    this.size = opts.size ?? 6;
    this.randomPlates = opts.randomPlates ?? false;
    if (!Number.isInteger(this.size) || this.size < 3) throw new RangeError(`pressure plates grid side ${this.size} must be an integer >= 3`);
    this.spec = gridSpec(
      2,
      [
        { name: 'self.rowcol', size: 2 },
        { name: 'plates.delta', size: 4 },
        { name: 'other.delta', size: 2 },
      ],
      8,
      opts.episodeLimit ?? 50,
    );
    this.out = { obs: new Float32Array(2 * this.spec.obsSize), state: new Float32Array(8), avail: new Uint8Array(10) };
  }

  /** Whether the last episode ended with the door open. */
  won(): boolean {
    return this.opened;
  }

  reset(seed?: number): EnvObservation {
    if (seed !== undefined) this.rng = new Rng(seed, 'plates');
    const cells = this.size * this.size;
    // Four distinct cells: two plates, then two agents on neither plate.
    const used: number[] = [];
    const pick = (): number => {
      let c: number;
      do c = this.rng.int(cells);
      while (used.includes(c));
      used.push(c);
      return c;
    };
    const S = this.size - 1;
    for (let i = 0; i < 2; i++) {
      if (this.randomPlates) {
        const c = pick();
        this.plates[2 * i] = Math.floor(c / this.size);
        this.plates[2 * i + 1] = c % this.size;
      } else {
        this.plates[2 * i] = i === 0 ? 0 : S;
        this.plates[2 * i + 1] = i === 0 ? S : 0;
        used.push(this.plates[2 * i] * this.size + this.plates[2 * i + 1]);
      }
    }
    for (let i = 0; i < 2; i++) {
      const c = pick();
      this.pos[2 * i] = Math.floor(c / this.size);
      this.pos[2 * i + 1] = c % this.size;
    }
    this.t = 0;
    this.opened = false;
    return this.observe();
  }

  step(actions: ArrayLike<number>): EnvStep {
    for (let a = 0; a < 2; a++) {
      const u = actions[a];
      if (this.out.avail[a * 5 + u] !== 1) throw new RangeError(`agent ${a} took unavailable action ${u}`);
      this.pos[2 * a] += GRID_MOVES[u][0];
      this.pos[2 * a + 1] += GRID_MOVES[u][1];
    }
    this.t++;
    this.opened = this.onPlate(0) && this.onPlate(1);
    const o = this.observe();
    return { ...o, reward: PLATES_STEP_PENALTY + (this.opened ? 1 : 0), terminated: this.opened, truncated: !this.opened && this.t >= this.spec.episodeLimit };
  }

  /** Whether some agent stands on plate `p`. */
  private onPlate(p: number): boolean {
    for (let a = 0; a < 2; a++) if (this.pos[2 * a] === this.plates[2 * p] && this.pos[2 * a + 1] === this.plates[2 * p + 1]) return true;
    return false;
  }

  private observe(): EnvObservation {
    const S = this.size - 1;
    const state = this.out.state as Float32Array;
    for (let a = 0; a < 2; a++) {
      this.targets.set(this.plates, 0);
      this.targets[4] = this.pos[2 * (1 - a)];
      this.targets[5] = this.pos[2 * (1 - a) + 1];
      writeGridObs(this.out, a, this.size, this.pos[2 * a], this.pos[2 * a + 1], this.targets);
      state[2 * a] = this.pos[2 * a] / S;
      state[2 * a + 1] = this.pos[2 * a + 1] / S;
      state[4 + 2 * a] = this.plates[2 * a] / S;
      state[5 + 2 * a] = this.plates[2 * a + 1] / S;
    }
    return this.out;
  }
}
