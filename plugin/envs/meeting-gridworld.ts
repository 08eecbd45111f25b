/**
 * Meeting Gridworld (the seeds' cooperative task): agents start at random
 * cells of a square grid and the team is rewarded (1, then the episode ends)
 * when all of them stand on the same cell. Each agent sees its own position
 * and where the others are relative to it; the state is every position.
 *
 * Actions: 0 stay, 1 up (row - 1), 2 down (row + 1), 3 left (col - 1),
 * 4 right (col + 1); moves off the grid are unavailable.
 */
import type { EnvObservation, EnvSpec, EnvStep, MultiAgentEnv } from '../core/env.js';
import { Rng } from '../core/rng.js';

const MOVES: readonly (readonly [number, number])[] = [
  [0, 0],
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
];

/**
 * @example
 * ```ts
 * const env = new MeetingGridworld({ size: 5, agents: 2 });
 * env.reset(1);
 * env.step([4, 3]); // one right, one left
 * ```
 */
export class MeetingGridworld implements MultiAgentEnv {
  readonly spec: EnvSpec;
  readonly size: number;
  private readonly pos: Int32Array; // [agents, 2] row, col
  private readonly obs: Float32Array;
  private readonly state: Float32Array;
  private readonly avail: Uint8Array;
  private rng = new Rng(0, 'meeting');
  private t = 0;
  private met = false;

  constructor(opts: { size?: number; agents?: number; episodeLimit?: number } = {}) {
    this.size = opts.size ?? 5;
    const n = opts.agents ?? 2;
    if (!Number.isInteger(this.size) || this.size < 2) throw new RangeError(`meeting gridworld size ${this.size} must be an integer >= 2`);
    if (!Number.isInteger(n) || n < 2) throw new RangeError(`meeting gridworld needs at least 2 agents, got ${n}`);
    const obsSize = 2 + 2 * (n - 1);
    this.spec = Object.freeze({
      nAgents: n,
      obsSize,
      stateSize: 2 * n,
      nActions: 5,
      episodeLimit: opts.episodeLimit ?? 50,
      obsLayout: Object.freeze([
        { name: 'self.rowcol', size: 2 },
        { name: 'others.delta', size: 2 * (n - 1) },
      ]),
      actionNames: Object.freeze(['stay', 'up', 'down', 'left', 'right']),
    });
    this.pos = new Int32Array(2 * n);
    this.obs = new Float32Array(n * obsSize);
    this.state = new Float32Array(2 * n);
    this.avail = new Uint8Array(n * 5);
  }

  /** Whether the last episode ended with the agents meeting. */
  won(): boolean {
    return this.met;
  }

  reset(seed?: number): EnvObservation {
    if (seed !== undefined) this.rng = new Rng(seed, 'meeting');
    const n = this.spec.nAgents;
    do {
      for (let i = 0; i < 2 * n; i++) this.pos[i] = this.rng.int(this.size);
    } while (this.together());
    this.t = 0;
    this.met = false;
    return this.observe();
  }

  step(actions: ArrayLike<number>): EnvStep {
    const n = this.spec.nAgents;
    for (let a = 0; a < n; a++) {
      const u = actions[a];
      if (this.avail[a * 5 + u] === 0) throw new RangeError(`agent ${a} took unavailable action ${u}`);
      this.pos[2 * a] += MOVES[u][0];
      this.pos[2 * a + 1] += MOVES[u][1];
    }
    this.t++;
    this.met = this.together();
    const o = this.observe();
    return { ...o, reward: this.met ? 1 : 0, terminated: this.met, truncated: !this.met && this.t >= this.spec.episodeLimit };
  }

  private together(): boolean {
    for (let a = 1; a < this.spec.nAgents; a++) if (this.pos[2 * a] !== this.pos[0] || this.pos[2 * a + 1] !== this.pos[1]) return false;
    return true;
  }

  private observe(): EnvObservation {
    const { nAgents: n, obsSize: O } = this.spec;
    const S = this.size - 1;
    for (let a = 0; a < n; a++) {
      const r = this.pos[2 * a];
      const c = this.pos[2 * a + 1];
      this.state[2 * a] = r / S;
      this.state[2 * a + 1] = c / S;
      let k = a * O;
      this.obs[k++] = r / S;
      this.obs[k++] = c / S;
      for (let b = 0; b < n; b++) {
        if (b === a) continue;
        this.obs[k++] = (this.pos[2 * b] - r) / S;
        this.obs[k++] = (this.pos[2 * b + 1] - c) / S;
      }
      const m = a * 5;
      this.avail[m] = 1;
      this.avail[m + 1] = r > 0 ? 1 : 0;
      this.avail[m + 2] = r < S ? 1 : 0;
      this.avail[m + 3] = c > 0 ? 1 : 0;
      this.avail[m + 4] = c < S ? 1 : 0;
    }
    return { obs: this.obs, state: this.state, avail: this.avail };
  }
}
