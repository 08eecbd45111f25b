/**
 * One step of the agent network for many rows at once (env copies x agents),
 * each row with its own GRU memory, run by the learner's WebAssembly SIMD
 * kernel: what an actor needs while training.
 *
 * Why not tfjs: acting is one small forward per env step, and a tfjs call
 * per step cost more than the env itself (issue 20's phases: 0.4-0.9 ms a
 * step on Carrot Heist, a fifth of the CLI's wall time). Why not the
 * runtime's plain-JS forward: on a GRU of 64 its scalar products run at
 * about 0.2-0.5 GMAC/s, slower than tfjs-wasm here. The kernel's products run
 * at 35+ GFLOP/s.
 *
 * The weights stay in this instance's own memory and are copied in again
 * only when the learner's weights change ({@link QLearner.weightsVersion});
 * so do the rows' GRU states between calls. The products go through the
 * kernel (`linear`); the GRU's gate arithmetic, a few hundred values a step,
 * runs in JS (PyTorch's GRUCell: r, z, n, as in agent-net.ts).
 */
import { agentInputSize } from '../core/agent-inputs.js';
import type { ActingMemory } from '../core/runner.js';
import type { QLearner } from './learner.js';
import { KernelArena, newKernelInstance, PACK_FLOATS, wasmKernel, type KernelExports } from './wasm-kernel.js';

/** Weight names in the order they are laid out. */
const WEIGHTS = {
  gru: ['agent.fc1.w', 'agent.fc1.b', 'agent.gru.wih', 'agent.gru.bih', 'agent.gru.whh', 'agent.gru.bhh', 'agent.fc2.w', 'agent.fc2.b'],
  mlp: ['agent.fc1.w', 'agent.fc1.b', 'agent.fc2.w', 'agent.fc2.b', 'agent.fc3.w', 'agent.fc3.b'],
} as const;

/**
 * @example
 * ```ts
 * const step = KernelStep.create(learner); // null without WebAssembly SIMD
 * step.layout(2 * nAgents);                // two env copies
 * step.clearMemory(0, nAgents);            // copy 0 starts an episode
 * step.writeInputs(0, obs0, null);         // ... and every copy's inputs
 * step.run(q);                             // q: [rows, nActions]
 * ```
 */
export class KernelStep {
  private rowsValue = 0;
  private at: Record<string, number> = {};
  private mem: Float32Array = new Float32Array(0);
  private version = -1;
  private readonly I: number;
  private readonly H: number;
  private readonly A: number;
  private readonly gru: boolean;

  /** Whether WebAssembly SIMD (and so this engine) is available here. */
  static available(): boolean {
    return wasmKernel() !== null;
  }

  /** A step engine for `learner`'s agent network, or null where WebAssembly SIMD is unavailable. */
  static create(learner: QLearner): KernelStep | null {
    const kernel = newKernelInstance();
    return kernel ? new KernelStep(learner, kernel) : null;
  }

  private constructor(
    private readonly learner: QLearner,
    private readonly kernel: KernelExports,
  ) {
    this.I = agentInputSize(learner.spec, learner.config);
    this.H = learner.agentShape.hiddenDim;
    this.A = learner.spec.nActions;
    this.gru = learner.agentShape.kind === 'gru';
  }

  /** Rows laid out now. */
  get rows(): number {
    return this.rowsValue;
  }

  /** Lays the memory out for `rows` rows, when it is not already: every row's memory starts at zero. */
  layout(rows: number): void {
    if (rows === this.rowsValue) return;
    const { I, H, A } = this;
    const arena = new KernelArena(this.kernel);
    const weights: [string, number][] = this.gru
      ? [['w1', I * H], ['b1', H], ['wih', H * 3 * H], ['bih', 3 * H], ['whh', H * 3 * H], ['bhh', 3 * H], ['w2', H * A], ['b2', A]]
      : [['w1', I * H], ['b1', H], ['w2', H * H], ['b2', H], ['w3', H * A], ['b3', A]];
    const acts: [string, number][] = [['x', rows * I], ['a1', rows * H], ['a2', rows * H], ['h', rows * H], ['gx', rows * 3 * H], ['gh', rows * 3 * H], ['q', rows * A], ['pack', PACK_FLOATS]];
    this.at = arena.layout([...weights, ...acts]);
    this.mem = arena.f32();
    this.mem.fill(0, this.at.h / 4, this.at.h / 4 + rows * H);
    this.rowsValue = rows;
    this.version = -1; // the layout moved the weights
  }

  /** Zeroes the GRU memory of rows `[row, row + count)` (a copy starting an episode). */
  clearMemory(row: number, count: number): void {
    const h = this.at.h / 4;
    this.mem.fill(0, h + row * this.H, h + (row + count) * this.H);
  }

  /**
   * Writes the inputs of one copy's agents, rows from `row` on: observations
   * `[nAgents, obsSize]` from `obs` at `obsOffset`, and the previous action
   * of each (`last[lastOffset + a]`, -1 or a null `last` for none).
   */
  writeInputs(row: number, obs: ArrayLike<number>, last: ArrayLike<number> | null, obsOffset = 0, lastOffset = 0): void {
    const { spec, config } = this.learner;
    const { nAgents: n, obsSize: O, nActions: A } = spec;
    const mem = this.mem;
    for (let a = 0; a < n; a++) {
      let p = this.at.x / 4 + (row + a) * this.I;
      for (let k = 0; k < O; k++) mem[p + k] = obs[obsOffset + a * O + k];
      p += O;
      if (config.obsLastAction) {
        for (let u = 0; u < A; u++) mem[p + u] = 0;
        const u = last === null ? -1 : last[lastOffset + a];
        if (u >= 0) mem[p + u] = 1;
        p += A;
      }
      if (config.obsAgentId) for (let i = 0; i < n; i++) mem[p + i] = i === a ? 1 : 0;
    }
  }

  /** One step of every row: utilities `[rows, nActions]` into `out`; the rows' GRU memory advances. */
  run(out: Float32Array): void {
    const { kernel, at, I, H, A } = this;
    const rows = this.rowsValue;
    this.syncWeights();
    kernel.linear(rows, H, I, at.x, at.w1, at.b1, at.a1, true, at.pack);
    if (this.gru) {
      kernel.linear(rows, 3 * H, H, at.a1, at.wih, at.bih, at.gx, false, at.pack);
      kernel.linear(rows, 3 * H, H, at.h, at.whh, at.bhh, at.gh, false, at.pack);
      this.gates(rows);
      kernel.linear(rows, A, H, at.h, at.w2, at.b2, at.q, false, at.pack);
    } else {
      kernel.linear(rows, H, H, at.a1, at.w2, at.b2, at.a2, true, at.pack);
      kernel.linear(rows, A, H, at.a2, at.w3, at.b3, at.q, false, at.pack);
    }
    out.set(this.mem.subarray(at.q / 4, at.q / 4 + rows * A));
  }

  /**
   * {@link QPolicy.qValuesMany} over this engine: each copy's GRU memory is
   * brought in from `memories[k]` (sized with zeros when empty or foreign)
   * and written back after the step.
   */
  many(memories: readonly ActingMemory[], obs: Float32Array, lastActions: Int32Array, out: Float32Array): void {
    const { nAgents: n, obsSize: O, nActions: A } = this.learner.spec;
    const rows = memories.length * n;
    if (obs.length !== rows * O || lastActions.length !== rows || out.length !== rows * A) {
      throw new RangeError(`qValuesMany for ${memories.length} copies of ${n} agents needs obs of ${rows * O}, ${rows} previous actions and ${rows * A} outputs; got ${obs.length}, ${lastActions.length}, ${out.length}`);
    }
    this.layout(rows);
    const size = n * this.H;
    const h = this.at.h / 4;
    for (let k = 0; k < memories.length; k++) {
      const m = memories[k];
      if (this.gru && (m.hidden === null || m.hidden.length !== size)) m.hidden = new Float32Array(size);
      if (this.gru) this.mem.set(m.hidden!, h + k * size);
      this.writeInputs(k * n, obs, lastActions, k * n * O, k * n);
    }
    this.run(out);
    if (this.gru) for (let k = 0; k < memories.length; k++) memories[k].hidden!.set(this.mem.subarray(h + k * size, h + (k + 1) * size));
  }

  /** Copies the learner's online agent weights in when they changed since the last copy. */
  private syncWeights(): void {
    const l = this.learner;
    if (this.version === l.weightsVersion) return;
    const names = WEIGHTS[l.agentShape.kind];
    const keys = this.gru ? ['w1', 'b1', 'wih', 'bih', 'whh', 'bhh', 'w2', 'b2'] : ['w1', 'b1', 'w2', 'b2', 'w3', 'b3'];
    names.forEach((name, i) => this.mem.set(l.online.agent.get(name).dataSync() as Float32Array, this.at[keys[i]] / 4));
    this.version = l.weightsVersion;
  }

  /** h' = (1 - z) n + z h from gx = x W_ih + b_ih and gh = h W_hh + b_hh (gates r, z, n). */
  private gates(rows: number): void {
    const { mem, H } = this;
    const G = 3 * H;
    const gx0 = this.at.gx / 4;
    const gh0 = this.at.gh / 4;
    const h0 = this.at.h / 4;
    for (let i = 0; i < rows; i++) {
      const gx = gx0 + i * G;
      const gh = gh0 + i * G;
      const hb = h0 + i * H;
      for (let j = 0; j < H; j++) {
        const r = 1 / (1 + Math.exp(-(mem[gx + j] + mem[gh + j])));
        const z = 1 / (1 + Math.exp(-(mem[gx + H + j] + mem[gh + H + j])));
        const nn = Math.tanh(mem[gx + 2 * H + j] + r * mem[gh + 2 * H + j]);
        mem[hb + j] = nn + z * (mem[hb + j] - nn);
      }
    }
  }
}
